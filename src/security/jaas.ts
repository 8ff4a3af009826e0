// A `sasl.jaas.config` value as Kafka's JaasConfig parses it: one or more
// `<LoginModuleClass> <required|requisite|sufficient|optional> key=value ... ;` entries, values
// bare words or double-quoted strings (backslash escapes the next character).

export interface JaasModule {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

export class JaasConfigError extends Error {}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

export function parseJaasConfig(text: string): JaasModule[] {
  const tokens = tokenize(text);
  const modules: JaasModule[] = [];
  let i = 0;
  while (i < tokens.length) {
    const loginModule = tokens[i++];
    if (loginModule.kind !== 'word') throw new JaasConfigError(`Invalid JAAS config: login module class name expected, found ${loginModule.text}`);
    const flag = tokens[i++];
    if (!flag || flag.kind !== 'word' || !FLAGS.has(flag.text.toLowerCase())) {
      throw new JaasConfigError(`Invalid JAAS config: Login module control flag is not available in the JAAS config`);
    }
    const options = new Map<string, string>();
    for (;;) {
      const t = tokens[i++];
      if (!t) throw new JaasConfigError('JAAS config entry not terminated by semi-colon');
      if (t.kind === 'semi') break;
      const eq = tokens[i++];
      const value = tokens[i++];
      if (t.kind !== 'word' || eq?.kind !== 'eq' || !value || (value.kind !== 'word' && value.kind !== 'quoted')) {
        throw new JaasConfigError(`Invalid JAAS config: option ${t.text} is not of the form key=value`);
      }
      options.set(t.text, value.text);
    }
    modules.push({ loginModule: loginModule.text, flag: flag.text.toLowerCase(), options });
  }
  if (modules.length === 0) throw new JaasConfigError('JAAS config entry not terminated by semi-colon');
  return modules;
}

interface Token {
  kind: 'word' | 'quoted' | 'eq' | 'semi';
  text: string;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (c === '=') (out.push({ kind: 'eq', text: c }), i++);
    else if (c === ';') (out.push({ kind: 'semi', text: c }), i++);
    else if (c === '"') {
      let v = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        v += text[i++];
      }
      if (i >= text.length) throw new JaasConfigError('Invalid JAAS config: unterminated quoted value');
      i++;
      out.push({ kind: 'quoted', text: v });
    } else {
      let v = '';
      while (i < text.length && !/[\s=;"]/.test(text[i])) v += text[i++];
      out.push({ kind: 'word', text: v });
    }
  }
  return out;
}
