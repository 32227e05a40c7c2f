/**
 * The page's script, run in the browser. The server sends this function's own source text
 * (assets.ts), so it must be self-contained: nothing outside its body, browser globals only.
 * Everything goes through the public API the page documents: `POST /v1/models/{name}:predict`
 * (JSON for the form, CSV for a file) and, when the server has them, the batch-jobs routes.
 *
 * A CSV reader and writer are written out here (RFC 4180, about 40 lines) because the page has no
 * build step to bring a library to the browser; they only lay out the table: whether a file is
 * valid is the server's csv-parse's call, and its error is shown as it gives it.
 */
export function pageScript() {
  'use strict';
  const PAGE_ROWS = 25;
  const FINAL = ['succeeded', 'failed', 'cancelled'];
  const $ = (id) => document.getElementById(id);
  const show = (el, on) => {
    if (el) el.hidden = !on;
  };
  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };
  const percent = (p) => (p * 100).toFixed(1) + '%';
  const people = (v) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

  /** RFC 4180 rows; a BOM is dropped and empty lines skipped, as the server does. */
  function parseCsv(text) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const rows = [];
    let row = [];
    let cell = '';
    let quoted = false;
    let wasQuoted = false;
    let wasQuotedRow = false;
    const endCell = () => {
      row.push(wasQuoted ? cell : cell.trim());
      cell = '';
      wasQuoted = false;
    };
    const endRow = () => {
      endCell();
      if (row.length > 1 || row[0] !== '' || wasQuotedRow) rows.push(row);
      row = [];
      wasQuotedRow = false;
    };
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') {
        quoted = true;
        wasQuoted = true;
        wasQuotedRow = true;
      } else if (ch === ',') endCell();
      else if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && text[i + 1] === '\n') i++;
        endRow();
      } else cell += ch;
    }
    if (cell !== '' || row.length > 0 || wasQuoted) endRow();
    return rows;
  }

  function csvCell(value) {
    return /[",\r\n]|^\s|\s$/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }
  function formatCsv(rows) {
    return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  }

  /** The API's error body, or a plain one from the status when the body is not JSON. */
  async function errorOf(res) {
    const text = await res.text();
    try {
      const body = JSON.parse(text);
      if (body && typeof body.error === 'string') return body;
    } catch {
      // not JSON: say what the status says
    }
    return { error: 'the server answered ' + res.status + ' ' + res.statusText };
  }

  // ---- The API key, on a server with keys (a 401 with WWW-Authenticate: Bearer) ----
  /** Kept in this page only (never stored), sent on predictions, CSV files and jobs alike. */
  let apiKey = '';
  const authHeaders = (extra) => Object.assign({}, extra, apiKey ? { authorization: 'Bearer ' + apiKey } : {});
  /** What to run again once a key is accepted (the request that answered 401). */
  let afterKey;
  const needsKey = (status) => status === 401;
  /** Shows the key field, focused; `retry` runs once the key is accepted. */
  function askForKey(retry) {
    afterKey = retry;
    const keyForm = $('jobs-key-form');
    show(keyForm, true);
    $('jobs-key').focus();
  }

  // ---- Try it: one prediction from the form ----
  const form = $('try-form');
  if (form) {
    const inputs = Array.from(form.querySelectorAll('[data-kind]'));
    const formError = $('try-error');
    const result = $('try-result');
    for (const box of form.querySelectorAll('[data-missing-for]')) {
      box.addEventListener('change', () => {
        $(box.dataset.missingFor).disabled = box.checked;
      });
    }
    const clearErrors = () => {
      show(formError, false);
      for (const input of inputs) {
        input.removeAttribute('aria-invalid');
        show($(input.id + '-error'), false);
      }
    };
    const fieldError = (input, message) => {
      input.setAttribute('aria-invalid', 'true');
      const slot = $(input.id + '-error');
      slot.textContent = message;
      show(slot, true);
    };
    form.addEventListener('reset', () => {
      clearErrors();
      show(result, false);
      for (const input of inputs) input.disabled = false;
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors();
      const instance = {};
      let firstBad;
      for (const input of inputs) {
        const kind = input.dataset.kind;
        if (kind === 'boolean') instance[input.name] = input.disabled ? null : input.checked;
        else if (kind === 'category') instance[input.name] = input.value === '' ? null : input.value;
        else if (input.validity.badInput) {
          fieldError(input, 'This is not a number the browser can read. Type a number, or leave it empty for missing.');
          firstBad ??= input;
        } else {
          const raw = input.value.trim();
          const n = Number(raw);
          // A browser without number inputs gives any text: the API says what is wrong with it.
          instance[input.name] = raw === '' ? null : Number.isFinite(n) ? n : raw;
        }
      }
      if (firstBad) {
        firstBad.focus();
        return;
      }
      const classifier = form.dataset.task === 'classification';
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const res = await fetch(form.dataset.predict + (classifier ? '?probabilities=true' : ''), {
          method: 'POST',
          headers: authHeaders({ 'content-type': 'application/json' }),
          body: JSON.stringify({ instances: [instance] }),
        });
        if (needsKey(res.status)) {
          formError.textContent = 'This server needs an API key: enter it in the API key field above, and the prediction runs with it.';
          show(formError, true);
          show(result, false);
          askForKey(() => form.requestSubmit());
          return;
        }
        if (!res.ok) {
          const body = await errorOf(res);
          const input = inputs.find((i) => i.name === body.feature);
          if (input) {
            fieldError(input, body.error);
            input.focus();
          } else {
            formError.textContent = body.error;
            show(formError, true);
          }
          show(result, false);
          return;
        }
        const body = await res.json();
        const prediction = body.predictions[0];
        $('try-prediction').textContent = classifier ? prediction : people(prediction);
        if (classifier) showBars(body.classes, body.probabilities[0], prediction);
        else showMarker($('try-spread'), prediction);
        show(result, true);
      } catch (err) {
        formError.textContent = 'The request did not reach the server: ' + err.message;
        show(formError, true);
      } finally {
        button.disabled = false;
      }
    });
  }

  function showBars(classes, probabilities, predicted) {
    const list = $('try-bars');
    list.replaceChildren();
    classes.forEach((name, i) => {
      const item = el('li');
      if (name === predicted) item.className = 'best';
      const label = el('label', name);
      label.htmlFor = 'prob-' + i;
      const meter = el('meter', percent(probabilities[i]));
      meter.id = 'prob-' + i;
      meter.min = 0;
      meter.max = 1;
      meter.value = probabilities[i];
      item.append(label, meter, el('span', percent(probabilities[i])));
      list.append(item);
    });
  }

  function showMarker(svg, value) {
    if (!svg) return;
    const min = Number(svg.dataset.min);
    const max = Number(svg.dataset.max);
    const clamped = Math.min(Math.max(value, min), max);
    const x = max > min ? 10 + (300 * (clamped - min)) / (max - min) : 160;
    const marker = svg.querySelector('.marker');
    marker.querySelector('line').setAttribute('x1', x.toFixed(1));
    marker.querySelector('line').setAttribute('x2', x.toFixed(1));
    marker.querySelector('circle').setAttribute('cx', x.toFixed(1));
    marker.setAttribute('visibility', 'visible');
    const where = value < min ? ' (below the training range)' : value > max ? ' (above the training range)' : '';
    const mean = Number(svg.dataset.mean);
    const std = Number(svg.dataset.std);
    const sds = std > 0 ? Math.abs(value - mean) / std : 0;
    const words = value < min || value > max ? 'outside the range of the training targets' : sds <= 1 ? 'within one standard deviation of the training mean' : (value > mean ? 'above' : 'below') + ' the training mean by ' + sds.toFixed(1) + ' standard deviations';
    $('try-where').textContent = 'That is ' + words + ' (the red mark below).';
    svg.setAttribute('aria-label', 'Prediction ' + people(value) + where + ' on the training target range ' + people(min) + ' to ' + people(max));
  }

  // ---- Score a CSV file ----
  const batch = $('batch-form');
  let table = { header: [], rows: [], page: 0 };
  let jobsOn = false;
  if (batch) {
    const status = $('batch-status');
    const progress = $('batch-progress');
    const progressText = $('batch-progress-text');
    const errorBox = $('batch-error');
    const resultBox = $('batch-result');
    const setProgress = (value, text) => {
      show(status, true);
      if (value === undefined) progress.removeAttribute('value');
      else progress.value = value;
      progressText.textContent = text;
    };
    const showError = (body, heading) => {
      errorBox.replaceChildren(el('p', heading));
      const where = el('dl');
      const add = (term, value) => {
        if (value === undefined) return;
        where.append(el('dt', term), el('dd', String(value)));
      };
      // Numbered as the API's message numbers them, so the two agree.
      add('Line', body.line === undefined ? undefined : body.line + ' (the header is line 1)');
      add('Row', body.row === undefined ? undefined : body.row + ' (data rows from 0, as the API counts)');
      add('Column', body.feature ?? body.column);
      if (where.childElementCount > 0) errorBox.append(where);
      errorBox.append(el('p', body.error));
      show(errorBox, true);
    };

    batch.addEventListener('submit', async (event) => {
      event.preventDefault();
      show(errorBox, false);
      show(resultBox, false);
      const file = $('batch-file').files[0];
      if (!file) {
        showError({ error: 'Choose a CSV file first.' }, 'No file chosen');
        $('batch-file').focus();
        return;
      }
      const maxBytes = Number(batch.dataset.maxBytes);
      const asJob = jobsOn && ($('batch-as-job').checked || file.size > maxBytes);
      if (!asJob && file.size > maxBytes) {
        showError({ error: 'The file has ' + file.size + ' bytes; this page scores up to ' + maxBytes + ' at once. Split it, or use the batch-jobs API.' }, 'The file is too large');
        return;
      }
      const button = batch.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        if (asJob) await submitJob(file, setProgress, showError);
        else await scoreNow(file, setProgress, showError);
      } finally {
        button.disabled = false;
      }
    });

    /** The synchronous CSV route, with upload progress (XMLHttpRequest: fetch has none). */
    async function scoreNow(file, setProgress, showError) {
      setProgress(0, 'Uploading ' + file.name + '…');
      const answer = await new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', batch.dataset.predict);
        xhr.setRequestHeader('content-type', 'text/csv');
        if (apiKey) xhr.setRequestHeader('authorization', 'Bearer ' + apiKey);
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) setProgress(e.loaded / e.total, 'Uploading: ' + percent(e.loaded / e.total));
        };
        xhr.upload.onload = () => setProgress(undefined, 'Scoring…');
        xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
        xhr.onerror = () => resolve({ status: 0, text: '' });
        xhr.send(file);
      });
      show($('batch-status'), false);
      if (needsKey(answer.status)) {
        showError({ error: 'Enter it in the API key field above, and the file is sent again with it.' }, 'This server needs an API key');
        askForKey(() => batch.requestSubmit());
        return;
      }
      if (answer.status !== 200) {
        let body = { error: answer.status === 0 ? 'The request did not reach the server.' : 'The server answered ' + answer.status + '.' };
        try {
          const parsed = JSON.parse(answer.text);
          if (parsed && typeof parsed.error === 'string') body = parsed;
        } catch {
          // keep the plain message
        }
        showError(body, 'This file cannot be scored');
        return;
      }
      const input = parseCsv(await file.text());
      const output = parseCsv(answer.text);
      showTable(input, output);
    }
  }

  function showTable(input, output) {
    const outHeader = output[0] ?? [];
    const outRows = output.slice(1);
    const inRows = input.slice(1);
    // The rows line up one to one; if this reader and the server's disagree, show the predictions alone.
    const joined = inRows.length === outRows.length;
    table = {
      header: joined ? [...input[0], ...outHeader] : outHeader,
      outFrom: joined ? input[0].length : 0,
      rows: joined ? inRows.map((r, i) => [...r, ...outRows[i]]) : outRows,
      page: 0,
    };
    $('batch-summary').textContent = outRows.length + ' rows scored.';
    const head = $('batch-table').tHead;
    const tr = el('tr');
    table.header.forEach((h, i) => {
      const th = el('th', h, i >= table.outFrom ? 'out' : undefined);
      th.scope = 'col';
      tr.append(th);
    });
    head.replaceChildren(tr);
    renderPage();
    show($('batch-result'), true);
  }

  function renderPage() {
    const pages = Math.max(1, Math.ceil(table.rows.length / PAGE_ROWS));
    table.page = Math.min(Math.max(table.page, 0), pages - 1);
    const start = table.page * PAGE_ROWS;
    const body = $('batch-table').tBodies[0];
    body.replaceChildren(
      ...table.rows.slice(start, start + PAGE_ROWS).map((r) => {
        const tr = el('tr');
        r.forEach((v, i) => tr.append(el('td', v, (i >= table.outFrom ? 'out ' : '') + (v !== '' && Number.isFinite(Number(v)) ? 'num' : ''))));
        return tr;
      }),
    );
    $('batch-page').textContent = 'Rows ' + (table.rows.length ? start + 1 : 0) + '–' + Math.min(start + PAGE_ROWS, table.rows.length) + ' of ' + table.rows.length + ' (page ' + (table.page + 1) + ' of ' + pages + ')';
    $('batch-prev').disabled = table.page === 0;
    $('batch-next').disabled = table.page >= pages - 1;
  }

  if (batch) {
    $('batch-prev').addEventListener('click', () => {
      table.page--;
      renderPage();
    });
    $('batch-next').addEventListener('click', () => {
      table.page++;
      renderPage();
    });
    $('batch-download').addEventListener('click', () => {
      saveFile(new Blob([formatCsv([table.header, ...table.rows])], { type: 'text/csv' }), batch.dataset.model + '-predictions.csv');
    });
  }

  function saveFile(blob, name) {
    const link = el('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  // ---- Batch jobs, when the server has them ----
  async function submitJob(file, setProgress, showError) {
    setProgress(undefined, 'Uploading ' + file.name + ' as a batch job…');
    const res = await fetch(batch.dataset.jobs, { method: 'POST', headers: authHeaders({ 'content-type': 'text/csv' }), body: file });
    if (needsKey(res.status)) {
      show($('batch-status'), false);
      showError({ error: 'Enter it in the API key field above, and the file is sent again with it.' }, 'This server needs an API key');
      askForKey(() => batch.requestSubmit());
      return;
    }
    if (res.status !== 202 && res.status !== 201 && res.status !== 200) {
      show($('batch-status'), false);
      showError(await errorOf(res), 'The job was not accepted');
      return;
    }
    const job = await res.json();
    await refreshJobs();
    for (let current = job; ; ) {
      if (FINAL.includes(current.status)) {
        show($('batch-status'), false);
        if (current.status === 'failed' && current.error) showError(current.error, 'The job failed');
        await refreshJobs();
        return;
      }
      setProgress(typeof current.progress === 'number' ? current.progress : undefined, 'Job ' + current.id.slice(0, 8) + ': ' + current.status + (current.rows ? ', ' + current.rows.done + ' rows' : ''));
      await new Promise((r) => setTimeout(r, 1000));
      const next = await fetch((current.links && current.links.self) || '/v1/jobs/' + current.id, { headers: authHeaders() });
      if (!next.ok) {
        show($('batch-status'), false);
        showError(await errorOf(next), 'The job could not be followed');
        return;
      }
      current = await next.json();
      await refreshJobs();
    }
  }

  async function refreshJobs() {
    const res = await fetch('/v1/jobs?model=' + encodeURIComponent(batch.dataset.model) + '&limit=20', { headers: authHeaders() });
    if (!res.ok) return;
    const { jobs } = await res.json();
    const body = $('jobs-table').tBodies[0];
    body.replaceChildren(
      ...jobs.map((job) => {
        const tr = el('tr');
        const results = el('td');
        const href = (job.links && job.links.results) || '/v1/jobs/' + job.id + '/results';
        if (job.status === 'succeeded' && !apiKey) {
          const link = el('a', 'Download');
          link.href = href;
          results.append(link);
        } else if (job.status === 'succeeded') {
          // A link cannot carry the key: fetch with it, then save what came back.
          const button = el('button', 'Download', 'secondary');
          button.type = 'button';
          button.addEventListener('click', async () => {
            const res = await fetch(href, { headers: authHeaders() });
            if (res.ok) saveFile(await res.blob(), batch.dataset.model + '-job-' + job.id.slice(0, 8) + '.csv');
          });
          results.append(button);
        } else if (job.error) results.textContent = job.error.error;
        const prog = el('progress');
        prog.max = 1;
        prog.value = job.progress ?? 0;
        prog.setAttribute('aria-label', 'Job ' + job.id.slice(0, 8) + ' progress');
        const progCell = el('td');
        const progWrap = el('span');
        progWrap.append(prog, ' ' + percent(job.progress ?? 0));
        progCell.append(progWrap);
        const cells = [el('td', job.id.slice(0, 8)), el('td', job.status), el('td', String(job.rows ? job.rows.done : ''), 'num'), progCell, el('td', job.startedAt ? new Date(job.startedAt).toLocaleString() : ''), results];
        // Roles and labels: on a phone the stylesheet stacks each job as a card (a label per cell).
        const labels = Array.from($('jobs-table').tHead.rows[0].cells, (th) => th.textContent);
        tr.setAttribute('role', 'row');
        cells.forEach((cell, i) => {
          cell.setAttribute('role', 'cell');
          cell.dataset.label = labels[i];
        });
        tr.append(...cells);
        return tr;
      }),
    );
    show($('jobs-table'), jobs.length > 0);
    show($('jobs-empty'), jobs.length === 0);
  }

  function turnOn() {
    jobsOn = true;
    for (const node of document.querySelectorAll('.jobs-only')) show(node, true);
    return refreshJobs();
  }

  if (batch) {
    // Jobs are on when the list answers 200, or 401 (they need an API key, asked for here);
    // a 404 (no jobs here) or 503 (no database) hides them.
    $('jobs-refresh').addEventListener('click', refreshJobs);
    fetch('/v1/jobs?limit=1')
      .then((res) => {
        if (res.status === 200) return turnOn();
        if (res.status === 401) show($('jobs-key-form'), true);
      })
      .catch(() => undefined);
  }

  const keyForm = $('jobs-key-form');
  if (keyForm) {
    keyForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const key = $('jobs-key').value.trim();
      // The job list checks the key (the keys come with jobs): 401 refuses it; 404 or 503 (jobs
      // off or no database) cannot tell, so the key is kept and the next request says.
      const res = await fetch('/v1/jobs?limit=1', { headers: { authorization: 'Bearer ' + key } }).catch(() => undefined);
      const error = $('jobs-key-error');
      if (!key || (res && needsKey(res.status))) {
        error.textContent = 'The key was not accepted: ' + (key && res ? (await errorOf(res)).error : 'enter the API key');
        show(error, true);
        $('jobs-key').setAttribute('aria-invalid', 'true');
        return;
      }
      apiKey = key;
      $('jobs-key').removeAttribute('aria-invalid');
      show(error, false);
      show(keyForm, false);
      if (batch && res && res.status === 200) await turnOn();
      const retry = afterKey;
      afterKey = undefined;
      if (retry) retry();
    });
  }
}
