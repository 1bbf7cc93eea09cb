// A process's options as one declarative table: each row names its flag, environment variable,
// default, documentation and check; the table parses the command line (with the same parser as
// the skiff CLI), fills defaults, lists every problem at once and prints --help.
import { parseArgs, UsageError, type FlagSpec } from "./args.js";

/** One option: how it is given, what it defaults to and what makes it invalid. */
export interface Row<T> {
  /** Long flag name without the dashes. */
  flag: string;
  /** Environment variable read when the flag is not given (an empty value counts as unset). */
  env?: string;
  doc: string;
  /** "boolean" rows are switches (`--x`, `--x=false`, `--x false`); the rest take a value. */
  kind: "value" | "boolean" | "repeatable";
  /** Turns the given text(s) into the value. */
  read(texts: string[]): T;
  /** The value when none is given; undefined leaves it to the table's derive() or unset. */
  default?: T | (() => T);
  /** An empty value (an empty list, an empty string) counts as not given. */
  emptyIsUnset?: boolean;
  /** What is wrong with a value, or undefined; printed as `--flag: <message>`. */
  check?(v: T): string | undefined;
}

/** Extra checks beside a row's own (more than one problem → an array). */
type Check<T> = (v: T) => string | string[] | undefined;
interface RowOpts<T> {
  env?: string;
  emptyIsUnset?: boolean;
  check?: Check<T>;
}

const splitList = (texts: string[]) =>
  texts
    .flatMap((t) => t.split(","))
    .map((s) => s.trim())
    .filter(Boolean);

function row<T>(flag: string, doc: string, kind: Row<T>["kind"], read: (t: string[]) => T, dflt: Row<T>["default"], o: RowOpts<T> = {}): Row<T> {
  const check = o.check;
  return {
    flag,
    doc,
    kind,
    read,
    default: dflt,
    env: o.env,
    emptyIsUnset: o.emptyIsUnset,
    check: check
      ? (v) => {
          const r = check(v);
          return Array.isArray(r) ? (r.length ? r.join(`; `) : undefined) : r;
        }
      : undefined,
  };
}

const last = (t: string[]) => t[t.length - 1];

/** A string option. */
export const str = (flag: string, doc: string, dflt?: string | (() => string), o?: RowOpts<string>) => row<string>(flag, doc, "value", last, dflt, o);
/** A string option with no default (undefined when not given). */
export const optional = (flag: string, doc: string, o?: RowOpts<string>) =>
  row<string | undefined>(flag, doc, "value", last, undefined, { emptyIsUnset: true, ...o } as RowOpts<string | undefined>);
/** A number; text that is not a number becomes NaN, which the checks below report. */
export const num = (flag: string, doc: string, dflt: number | undefined, o?: RowOpts<number>) =>
  row<number>(flag, doc, "value", (t) => Number(last(t)), dflt, o);
/** A switch. */
export const bool = (flag: string, doc: string, dflt: boolean) =>
  row<boolean>(
    flag,
    doc,
    "boolean",
    (t) => {
      const v = last(t);
      if (/^(true|t|1)$/i.test(v)) return true;
      if (/^(false|f|0)$/i.test(v)) return false;
      throw new UsageError(`invalid argument ${JSON.stringify(v)} for "--${flag}": want true or false`);
    },
    dflt,
  );
/** A comma-separated list, repeatable (`--x a,b --x c`); an empty list means the default. */
export const list = (flag: string, doc: string, dflt: string[] | (() => string[]) | undefined, o?: RowOpts<string[]>) =>
  row<string[]>(flag, doc, "repeatable", splitList, dflt, { emptyIsUnset: true, ...o });
/** One of a fixed set of words. */
export function oneOf<C extends string>(flag: string, doc: string, choices: readonly C[], dflt: C, o?: RowOpts<C>): Row<C> {
  const words = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`;
  return row<C>(flag, doc, "value", (t) => last(t) as C, dflt, {
    ...o,
    check: (v) => (choices.includes(v) ? o?.check?.(v) : `must be ${words}, got ${JSON.stringify(v)}`),
  });
}
/** `k=v,k2=v2` pairs (a bare `k` means an empty value). */
export const keyValues = (flag: string, doc: string) =>
  row<Record<string, string>>(
    flag,
    doc,
    "repeatable",
    (t) =>
      Object.fromEntries(
        splitList(t).map((kv) => {
          const i = kv.indexOf("=");
          return i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
        }),
      ),
    () => ({}),
  );

/** Common checks, worded once. */
export const checks = {
  positive: (v: number) => (Number.isFinite(v) && v > 0 ? undefined : "must be a positive number"),
  nonNegative: (v: number) => (Number.isFinite(v) && v >= 0 ? undefined : "must be a non-negative number"),
  positiveInt: (v: number) => (Number.isInteger(v) && v > 0 ? undefined : "must be a positive integer"),
  hostPort: (v: string) => (/^[^\s]+:\d+$/.test(v) ? undefined : `must be host:port, got ${JSON.stringify(v)}`),
  hostPorts: (v: string[]) => v.filter((a) => !/^[^\s]+:\d+$/.test(a)).map((a) => `must be host:port[,host:port…], got ${JSON.stringify(a)}`),
  absolutePath: (v: string) => (v.startsWith("/") ? undefined : "must be an absolute path"),
};

type ValueOf<R> = R extends Row<infer T> ? T : never;
/** The options object a table describes. */
export type OptionsOf<R extends Record<string, Row<unknown>>> = { [K in keyof R]: ValueOf<R[K]> };

/** Hooks for what a single row cannot say. */
export interface TableHooks<O> {
  /** Fills defaults computed from other options (given the partial that was passed in). */
  derive?(o: O, given: Partial<O>): void;
  /** Problems that involve several options, worded in full (`--a: must be longer than --b`). */
  validate?(o: O): string[];
}

/** A parsed and compiled options table. */
export interface OptionTable<O> {
  /** Flags and environment → the options that were given. */
  parse(argv: string[], env?: NodeJS.ProcessEnv): Partial<O>;
  /** Given options → every option filled; throws listing every problem. */
  compile(given: Partial<O>): O;
  /** `--help` text. */
  help(): string;
}

/** Builds a process's options table. */
// biome-ignore lint/suspicious/noExplicitAny: rows of any value type; OptionsOf recovers each one
export function defineOptions<R extends Record<string, Row<any>>>(rows: R, hooks: TableHooks<OptionsOf<R>> = {}): OptionTable<OptionsOf<R>> {
  type O = OptionsOf<R>;
  const entries = Object.entries(rows) as [keyof O & string, Row<unknown>][];
  const spec: FlagSpec = Object.fromEntries(
    entries.map(([, r]) => [
      r.flag,
      { type: r.kind === "boolean" ? "boolean" : r.kind === "repeatable" ? "strings" : "string", description: r.doc, separateValue: r.kind === "boolean" },
    ]),
  );
  const isEmpty = (v: unknown) => v === "" || (Array.isArray(v) && v.length === 0);

  return {
    parse(argv, env = {}) {
      const { positionals, flags } = parseArgs(argv, spec);
      if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (this command takes only flags)`);
      const out: Partial<O> = {};
      for (const [key, r] of entries) {
        let texts: string[] | undefined;
        if (flags.has(r.flag)) texts = r.kind === "boolean" ? [String(flags.bool(r.flag))] : flags.strings(r.flag);
        else if (r.env && env[r.env]) texts = [env[r.env]!];
        if (texts) out[key] = r.read(texts) as O[typeof key];
      }
      return out;
    },

    compile(given) {
      const o = {} as O;
      for (const [key, r] of entries) {
        const v = given[key];
        const unset = v === undefined || (r.emptyIsUnset && isEmpty(v));
        o[key] = (unset ? (typeof r.default === "function" ? (r.default as () => unknown)() : r.default) : v) as O[typeof key];
      }
      hooks.derive?.(o, given);
      const errs: string[] = [];
      for (const [key, r] of entries) {
        const v = o[key];
        const msg = v === undefined ? undefined : r.check?.(v);
        if (msg) errs.push(`--${r.flag}: ${msg}`);
      }
      errs.push(...(hooks.validate?.(o) ?? []));
      if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
      return o;
    },

    help() {
      return entries
        .map(([, r]) => {
          const dflt = typeof r.default === "function" || r.default === undefined || isEmpty(r.default) ? "" : ` (default ${JSON.stringify(r.default)})`;
          const env = r.env ? ` [$${r.env}]` : "";
          return `  --${r.flag}${r.kind === "boolean" ? "" : "=…"}\n      ${r.doc}${dflt}${env}`;
        })
        .join("\n");
    },
  };
}

/**
 * What a process's main calls: prints --help (exit 0) or a usage problem (exit 2) the way
 * command-line tools do, instead of a stack trace.
 */
export function loadOptions<O>(table: OptionTable<O>, name: string, argv = process.argv.slice(2), env = process.env): O {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`Usage: ${name} [flags]\n\nFlags:\n${table.help()}\n`);
    process.exit(0);
  }
  try {
    return table.compile(table.parse(argv, env));
  } catch (err) {
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
