/**
 * The page's stylesheet, served from `'self'` (`/assets/…`), so the CSP needs no `'unsafe-inline'`
 * for styles. Colours keep at least 4.5:1 contrast; one column below 40rem, so 375 px phones read
 * it without zooming sideways (wide tables scroll inside their own box; the jobs table stacks as cards).
 */
export const STYLESHEET = `
:root { --ink: #1b1f24; --muted: #4f5963; --line: #d0d7de; --accent: #0b5cad; --accent-ink: #fff; --bad: #a4111d; --ok: #1a6b32; --band: #dbe9f7; --paper: #fff; --soft: #f4f6f8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--ink); color: #fff; padding: .5rem 1rem; }
.skip:focus { left: 0; }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--soft); }
.brand { font-weight: 700; text-decoration: none; color: var(--ink); }
.status { margin: 0; padding: .15rem .6rem; border-radius: 1rem; font-size: .9rem; }
.status.ok { background: #dff3e4; color: var(--ok); }
.status.bad { background: #fbe3e4; color: var(--bad); }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
footer { max-width: 64rem; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: .9rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-top: .5rem; border-top: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, monospace; }
.hash, .wrap { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.tag { display: inline-block; font-size: .8rem; font-weight: 600; padding: .1rem .5rem; border-radius: .3rem; background: var(--band); color: #0a3d73; vertical-align: middle; }
.crumbs { font-size: .9rem; }
.jump { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 1rem 0; }
.cards { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; }
.card h2 { border: 0; margin: 0 0 .5rem; padding: 0; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem 1rem; margin: 0 0 .75rem; }
.facts dt, .rows dt { color: var(--muted); font-size: .85rem; }
.facts dd, .rows dd { margin: 0; font-weight: 600; }
.rows > div { display: grid; grid-template-columns: 7rem 1fr; gap: 1rem; padding: .35rem 0; border-bottom: 1px solid var(--line); }
.rows dd { font-weight: 400; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--soft); white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.out, th.out { background: #eef5fc; }
.bars { list-style: none; padding: 0; margin: .5rem 0; max-width: 36rem; }
.bars li { display: grid; grid-template-columns: minmax(5rem, 9rem) 1fr 6.5rem; gap: .5rem; align-items: center; padding: .15rem 0; }
.bars li.best { font-weight: 700; }
.bars span { font-variant-numeric: tabular-nums; text-align: right; }
meter { width: 100%; height: 1.1rem; }
meter::-webkit-meter-bar { background: var(--soft); border: 1px solid var(--line); border-radius: .2rem; }
meter::-webkit-meter-optimum-value { background: var(--accent); }
meter::-moz-meter-bar { background: var(--accent); }
.spread { width: 100%; max-width: 36rem; height: auto; display: block; }
.spread .axis { stroke: var(--muted); stroke-width: 2; }
.spread .sd { fill: var(--band); }
.spread .mean { stroke: #0a3d73; stroke-width: 2; }
.spread text { font-size: 12px; fill: var(--muted); }
.spread .marker line { stroke: var(--bad); stroke-width: 2; }
.spread .marker circle { fill: var(--bad); }
.fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .75rem 1rem; }
.field { display: flex; flex-direction: column; gap: .2rem; margin: 0; padding: 0; border: 0; min-width: 0; }
fieldset.field legend { padding: 0; font-weight: 600; }
.field > label { font-weight: 600; overflow-wrap: anywhere; }
label.inline { font-weight: 400; margin-right: 1rem; }
input[type=number], input[type=password], select { font: inherit; padding: .4rem .5rem; border: 1px solid #6e7781; border-radius: .3rem; width: 100%; min-height: 2.5rem; background: #fff; color: var(--ink); }
input[type=checkbox] { width: 1.2rem; height: 1.2rem; vertical-align: middle; }
input[type=file] { font: inherit; max-width: 100%; }
[aria-invalid=true] { border-color: var(--bad); box-shadow: 0 0 0 1px var(--bad); }
.hint { color: var(--muted); font-size: .85rem; }
.error { color: var(--bad); font-weight: 600; margin: .25rem 0; }
.error dl { margin: .25rem 0; display: grid; grid-template-columns: auto 1fr; gap: 0 .75rem; }
.error dd { margin: 0; }
.error-box { border-left: 4px solid var(--bad); padding: .25rem 0 .25rem .75rem; }
.error-box > :not(:first-child) { color: var(--ink); font-weight: 400; }
.error-box dt { font-weight: 600; }
button { font: inherit; padding: .5rem 1rem; min-height: 2.5rem; border: 1px solid var(--accent); border-radius: .3rem; background: var(--accent); color: var(--accent-ink); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button:disabled { opacity: .55; cursor: default; }
.result { margin-top: 1rem; padding: 1rem; border: 1px solid var(--line); border-radius: .5rem; background: var(--soft); }
.prediction { font-size: 1.2rem; margin: 0 0 .5rem; }
.prediction output { font-weight: 700; }
.status-line { display: flex; gap: .75rem; align-items: center; margin: .5rem 0; }
progress { width: 12rem; max-width: 50%; height: 1rem; }
.pager { display: flex; gap: .75rem; align-items: center; margin: .5rem 0; flex-wrap: wrap; }
[hidden] { display: none !important; }
@media (max-width: 40rem) {
  main { padding: .75rem; }
  .rows > div { grid-template-columns: 1fr; gap: 0; }
  .bars li { grid-template-columns: 1fr 5.5rem; }
  .bars li meter { grid-column: 1 / -1; grid-row: 2; }
  .fields { grid-template-columns: 1fr; }
  /* The jobs table as one card per job, so Job and Status are the first thing seen, not scrolled away. */
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border: 1px solid var(--line); border-radius: .5rem; margin: 0 0 .75rem; padding: .25rem .5rem; }
  table.stack td { display: grid; grid-template-columns: 6rem 1fr; gap: .5rem; border: 0; padding: .2rem 0; text-align: left; }
  table.stack td::before { content: attr(data-label); color: var(--muted); font-size: .85rem; }
  table.stack td.num { text-align: left; }
  table.stack progress { max-width: 100%; }
}
`;
