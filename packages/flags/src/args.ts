// Command-line flags the way kubectl (pflag) reads them: --name value, --name=value,
// -n value, -nvalue, -o=json, grouped boolean shorts (-Aw), --flag=false, and `--`.

/** What a flag holds: one string, a boolean, or every occurrence of a string. */
export type FlagType = "string" | "boolean" | "strings";

/** One flag a command accepts. */
export interface FlagDef {
  type: FlagType;
  short?: string;
  description: string;
  /** Shown in help; commands apply their own defaults. */
  default?: string | boolean;
  /**
   * A boolean that also takes its value as the next argument when that is a boolean literal
   * (`--leader-elect false`). Only for commands without positionals, where it cannot be ambiguous.
   */
  separateValue?: boolean;
}

/** The flags a command accepts, by long name. */
export type FlagSpec = Record<string, FlagDef>;

/** A user mistake on the command line (printed as `error: …`, exit 1). */
export class UsageError extends Error {}

/** Parsed flags with typed accessors. */
export class Flags {
  constructor(private readonly values: Map<string, string | boolean | string[]>) {}
  /** Whether the flag was given at all. */
  has(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === "string" ? v : Array.isArray(v) ? v[v.length - 1] : undefined;
  }
  bool(name: string, dflt = false): boolean {
    const v = this.values.get(name);
    return typeof v === "boolean" ? v : dflt;
  }
  strings(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  }
}

/** Command-line arguments split into positionals and flags. */
export interface ParsedArgs {
  positionals: string[];
  flags: Flags;
}

const BOOL_LITERAL = /^(true|t|1|false|f|0)$/i;

function parseBool(name: string, v: string): boolean {
  if (/^(true|t|1)$/i.test(v)) return true;
  if (/^(false|f|0)$/i.test(v)) return false;
  throw new UsageError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

/** Parses argv against a flag spec; unknown flags are a UsageError. */
export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  const byShort = new Map(
    Object.entries(spec)
      .filter(([, d]) => d.short)
      .map(([n, d]) => [d.short!, n]),
  );

  const set = (name: string, def: FlagDef, value: string | boolean) => {
    if (def.type === "strings") {
      const prev = values.get(name);
      values.set(name, [...(Array.isArray(prev) ? prev : []), String(value)]);
    } else {
      values.set(name, value);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const def = spec[name];
      if (!def) throw new UsageError(`unknown flag: --${name}`);
      if (def.type === "boolean") {
        if (eq < 0 && def.separateValue && i + 1 < argv.length && BOOL_LITERAL.test(argv[i + 1])) set(name, def, parseBool(name, argv[++i]));
        else set(name, def, eq < 0 ? true : parseBool(name, arg.slice(eq + 1)));
      } else if (eq >= 0) {
        set(name, def, arg.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        set(name, def, argv[++i]);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A group of shorts: booleans may be combined; a value flag takes the rest or the next arg.
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j];
        const name = byShort.get(ch);
        if (!name) throw new UsageError(`unknown shorthand flag: '${ch}' in ${arg}`);
        const def = spec[name];
        if (def.type === "boolean") {
          if (arg[j + 1] === "=") {
            set(name, def, parseBool(name, arg.slice(j + 2)));
            break;
          }
          set(name, def, true);
          continue;
        }
        let rest = arg.slice(j + 1);
        if (rest.startsWith("=")) rest = rest.slice(1);
        if (rest) set(name, def, rest);
        else if (i + 1 < argv.length) set(name, def, argv[++i]);
        else throw new UsageError(`flag needs an argument: '${ch}' in -${ch}`);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { positionals, flags: new Flags(values) };
}

/** Parses a kubectl-style duration ("30s", "2m", "1h", "500ms", or plain seconds) into ms. */
export function parseDuration(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new UsageError(`invalid argument "${s}" for "--${flag}" flag: time: invalid duration "${s}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

/** Help text listing a command's flags. */
export function flagHelp(spec: FlagSpec): string {
  const rows = Object.entries(spec).map(([name, d]) => {
    const left = `${d.short ? `-${d.short}, ` : "    "}--${name}${d.type === "boolean" ? "" : "=''"}`;
    const dflt = d.default !== undefined ? ` (default ${JSON.stringify(d.default)})` : "";
    return `  ${left.padEnd(30)} ${d.description}${dflt}`;
  });
  return rows.join("\n");
}
