// A sortable, filterable table of objects with keyboard navigation (in the filter box: ↑/↓ move, Enter opens).
import { useMemo, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import type { KObj } from "../lib/types.js";

export interface Column {
  title: string;
  cell(o: KObj): ComponentChildren;
  sort?(o: KObj): string | number;
}

export function Table(p: {
  items: KObj[];
  columns: Column[];
  search?(o: KObj): string;
  href?(o: KObj): string;
  empty?: string;
  testid?: string;
  synced?: boolean;
  error?: string;
}) {
  const [filter, setFilter] = useState("");
  const [sortBy, setSortBy] = useState(-1);
  const [cursor, setCursor] = useState(-1);
  const rows = useMemo(() => {
    const f = filter.toLowerCase();
    const text = p.search ?? ((o: KObj) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    let r = f ? p.items.filter((o) => text(o).toLowerCase().includes(f)) : p.items;
    const col = p.columns[Math.abs(sortBy) - 1];
    if (col?.sort) {
      const s = col.sort;
      r = [...r].sort((a, b) => (s(a) < s(b) ? -1 : s(a) > s(b) ? 1 : 0) * Math.sign(sortBy));
    }
    return r;
  }, [p.items, filter, sortBy]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") setCursor((c) => Math.min(rows.length - 1, c + 1));
    else if (e.key === "ArrowUp") setCursor((c) => Math.max(0, c - 1));
    else if (e.key === "Enter" && p.href && rows[cursor]) location.hash = p.href(rows[cursor]);
    else return;
    e.preventDefault();
  };
  return (
    <div class="table-wrap" data-testid={p.testid}>
      <div class="table-tools">
        <input
          class="filter"
          onKeyDown={onKey}
          title="type to filter; ↑/↓ move, Enter opens"
          placeholder={p.search ? "Filter…" : "Filter by name…"}
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          aria-label="filter"
        />
        <span class="muted">{p.synced === false ? "loading…" : `${rows.length} of ${p.items.length}`}</span>
        {p.error && <span class="bad">{p.error}</span>}
      </div>
      <table>
        <thead>
          <tr>
            {p.columns.map((c, i) => (
              <th key={c.title} onClick={() => c.sort && setSortBy(sortBy === i + 1 ? -(i + 1) : i + 1)} class={c.sort ? "sortable" : ""}>
                {c.title}
                {Math.abs(sortBy) === i + 1 ? (sortBy > 0 ? " ▲" : " ▼") : ""}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((o, i) => (
            <tr key={o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`} class={i === cursor ? "cursor" : ""} data-name={o.metadata.name}>
              {p.columns.map((c) => (
                <td key={c.title}>{c.cell(o)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {p.synced !== false && rows.length === 0 && <p class="muted">{p.empty ?? "Nothing here."}</p>}
    </div>
  );
}

/** A link to an object's page. */
export function Link(p: { href: string; children: ComponentChildren }) {
  return <a href={p.href}>{p.children}</a>;
}
