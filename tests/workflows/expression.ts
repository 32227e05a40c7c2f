/**
 * A small evaluator of GitHub Actions expressions (the `if:` of jobs and steps) over a partial
 * context, with a third value, UNKNOWN, for whatever the context does not say (needs, steps,
 * vars, the status functions, …). The policy asks "can this job run for a fork's pull request?":
 * only an expression that is false whatever the unknowns are says no.
 */
export const UNKNOWN: unique symbol = Symbol('unknown');
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | typeof UNKNOWN;

type Token = { kind: 'op' | 'str' | 'num' | 'ident'; text: string };

const TOKEN = /\s*(?:(&&|\|\||==|!=|<=|>=|[()!<>,.[\]*])|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_-]*))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot read the expression at "${text.slice(at, at + 20)}"`);
    if (m[1] !== undefined) tokens.push({ kind: 'op', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'str', text: m[2].replaceAll("''", "'") });
    else if (m[3] !== undefined) tokens.push({ kind: 'num', text: m[3] });
    else tokens.push({ kind: 'ident', text: m[4]! });
  }
  return tokens;
}

export function truthy(v: Value): boolean | typeof UNKNOWN {
  if (v === UNKNOWN) return UNKNOWN;
  return !(v === false || v === null || v === 0 || v === '' || Number.isNaN(v));
}

function equal(a: Value, b: Value): boolean | typeof UNKNOWN {
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase(); // GitHub compares strings ignoring case
  if (typeof a === typeof b || a === null || b === null) return a === b;
  return Number(a) === Number(b);
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  always: () => true,
  success: () => UNKNOWN,
  failure: () => UNKNOWN,
  cancelled: () => UNKNOWN,
  contains: ([haystack, needle]) => {
    if (haystack === UNKNOWN || needle === UNKNOWN || haystack === undefined || needle === undefined) return UNKNOWN;
    if (Array.isArray(haystack)) {
      const found = haystack.map((h) => equal(h, needle));
      return found.includes(true) ? true : found.includes(UNKNOWN) ? UNKNOWN : false;
    }
    return String(haystack).toLowerCase().includes(String(needle).toLowerCase());
  },
  startswith: ([s, p]) => (s === UNKNOWN || p === UNKNOWN ? UNKNOWN : String(s).toLowerCase().startsWith(String(p).toLowerCase())),
  endswith: ([s, p]) => (s === UNKNOWN || p === UNKNOWN ? UNKNOWN : String(s).toLowerCase().endsWith(String(p).toLowerCase())),
  fromjson: ([s]) => (typeof s === 'string' ? (JSON.parse(s) as Value) : UNKNOWN),
};

/** Evaluates `text` (with or without `${{ }}` around it) in `context`; a name it lacks is UNKNOWN. */
export function evaluate(text: string, context: Record<string, Value>): Value {
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text)?.[1] ?? text;
  const tokens = tokenize(inner);
  let i = 0;
  const peek = (t: string) => tokens[i]?.kind === 'op' && tokens[i]?.text === t;
  const expect = (t: string) => {
    if (!peek(t)) throw new Error(`expected "${t}" in "${inner.trim()}"`);
    i++;
  };

  function or(): Value {
    let left = and();
    while (peek('||')) {
      i++;
      const right = and();
      const l = truthy(left);
      left = l === true ? left : l === false ? right : UNKNOWN;
    }
    return left;
  }
  function and(): Value {
    let left = comparison();
    while (peek('&&')) {
      i++;
      const right = comparison();
      const l = truthy(left);
      // Unknown && false is falsy whichever way the unknown goes.
      left = l === false ? left : l === true ? right : truthy(right) === false ? right : UNKNOWN;
    }
    return left;
  }
  function comparison(): Value {
    const left = unary();
    for (const op of ['==', '!=', '<', '>', '<=', '>=']) {
      if (!peek(op)) continue;
      i++;
      const right = unary();
      if (op === '==' || op === '!=') {
        const eq = equal(left, right);
        return eq === UNKNOWN ? UNKNOWN : op === '==' ? eq : !eq;
      }
      return UNKNOWN; // ordering is not needed by the policy
    }
    return left;
  }
  function unary(): Value {
    if (peek('!')) {
      i++;
      const v = truthy(unary());
      return v === UNKNOWN ? UNKNOWN : !v;
    }
    return postfix(primary());
  }
  function postfix(value: Value): Value {
    for (;;) {
      if (peek('.')) {
        i++;
        const name = tokens[i++];
        if (!name || (name.kind !== 'ident' && name.text !== '*')) throw new Error(`a property name must follow "." in "${inner.trim()}"`);
        value = name.text === '*' ? UNKNOWN : property(value, name.text);
      } else if (peek('[')) {
        i++;
        const key = or();
        expect(']');
        value = key === UNKNOWN ? UNKNOWN : property(value, String(key));
      } else return value;
    }
  }
  function primary(): Value {
    const t = tokens[i++];
    if (!t) throw new Error(`the expression "${inner.trim()}" ends too soon`);
    if (t.kind === 'str') return t.text;
    if (t.kind === 'num') return Number(t.text);
    if (t.kind === 'op' && t.text === '(') {
      const v = or();
      expect(')');
      return v;
    }
    if (t.kind !== 'ident') throw new Error(`unexpected "${t.text}" in "${inner.trim()}"`);
    if (t.text === 'true' || t.text === 'false') return t.text === 'true';
    if (t.text === 'null') return null;
    if (peek('(')) {
      i++;
      const args: Value[] = [];
      while (!peek(')')) {
        args.push(or());
        if (peek(',')) i++;
      }
      expect(')');
      const fn = FUNCTIONS[t.text.toLowerCase()];
      return fn ? fn(args) : UNKNOWN;
    }
    return t.text in context ? context[t.text]! : UNKNOWN;
  }

  const value = or();
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]!.text}" in "${inner.trim()}"`);
  return value;
}

/** A property of an object the context gave; one it does not name is UNKNOWN (the context is partial). */
function property(value: Value, name: string): Value {
  if (value === UNKNOWN || value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (Array.isArray(value) && /^\d+$/.test(name)) return value[Number(name)] ?? null;
    return UNKNOWN;
  }
  return Object.hasOwn(value, name) ? value[name]! : UNKNOWN;
}
