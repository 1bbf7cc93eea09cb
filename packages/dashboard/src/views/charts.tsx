// CPU and memory over the last minutes from the metrics API (metrics.k8s.io), drawn with uPlot.
// The metrics API cannot be watched, so it is sampled every 10 s while a chart is on screen.
import { useEffect, useRef, useState } from "preact/hooks";
import type UPlot from "uplot";
import { quantity } from "../lib/status.js";
import { useApp } from "./hooks.js";

interface Metric {
  metadata: { name: string; namespace?: string };
  usage?: { cpu?: string; memory?: string };
  containers?: { usage?: { cpu?: string; memory?: string } }[];
}
export interface Sample {
  t: number;
  byName: Map<string, { cpu: number; memory: number }>;
}

const WINDOW = 60; // samples kept: 10 minutes

/** Samples node (or, with a namespace, pod) metrics; `latest` is the last answer. */
export function useNodeMetrics(pods?: { ns: string }): { samples: Sample[]; latest?: Metric[]; unavailable?: string } {
  const app = useApp();
  const [state, setState] = useState<{ samples: Sample[]; latest?: Metric[]; unavailable?: string }>({ samples: [] });
  useEffect(() => {
    let stop = false;
    const path = pods ? `/apis/metrics.k8s.io/v1beta1${pods.ns ? `/namespaces/${pods.ns}` : ""}/pods` : "/apis/metrics.k8s.io/v1beta1/nodes";
    const tick = async () => {
      try {
        const l = await app.api.get<{ items: Metric[] }>(path);
        const byName = new Map<string, { cpu: number; memory: number }>();
        for (const m of l.items) {
          const u =
            m.usage ??
            (m.containers ?? []).reduce(
              (a, c) => ({ cpu: String(quantity(a.cpu) + quantity(c.usage?.cpu)), memory: String(quantity(a.memory) + quantity(c.usage?.memory)) }),
              { cpu: "0", memory: "0" } as { cpu?: string; memory?: string },
            );
          byName.set(m.metadata.namespace ? `${m.metadata.namespace}/${m.metadata.name}` : m.metadata.name, {
            cpu: quantity(u.cpu),
            memory: quantity(u.memory),
          });
        }
        if (!stop) setState((s) => ({ samples: [...s.samples, { t: Date.now() / 1000, byName }].slice(-WINDOW), latest: l.items }));
      } catch (e) {
        if (!stop) setState((s) => ({ ...s, unavailable: (e as Error).message }));
      }
    };
    void tick();
    const i = setInterval(() => void tick(), 10_000);
    return () => {
      stop = true;
      clearInterval(i);
    };
  }, [app.api, pods?.ns]);
  return state;
}

const palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"];

function Chart(p: { title: string; samples: Sample[]; field: "cpu" | "memory"; max?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const [uPlot, setUPlot] = useState<typeof UPlot>();
  useEffect(() => {
    void Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([m]) => setUPlot(() => m.default));
  }, []);
  const names = [...new Set(p.samples.flatMap((s) => [...s.byName.keys()]))].slice(0, p.max ?? 8);
  useEffect(() => {
    if (!el.current || !uPlot || p.samples.length === 0) return;
    const data: UPlot.AlignedData = [
      p.samples.map((s) => s.t),
      ...names.map((n) =>
        p.samples.map((s) => {
          const v = s.byName.get(n)?.[p.field];
          return v === undefined ? null : p.field === "memory" ? v / 1024 ** 2 : v;
        }),
      ),
    ];
    const u = new uPlot(
      {
        width: Math.min(520, el.current.clientWidth || 520),
        height: 160,
        title: p.title,
        legend: { show: names.length <= 8 },
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: palette[i % palette.length], width: 1.5 }))],
        axes: [{}, { size: 50 }],
      },
      data,
      el.current,
    );
    return () => u.destroy();
  }, [uPlot, p.samples, p.field, names.join(",")]);
  return <div class="chart" ref={el} />;
}

/** CPU (cores) and memory (MiB) per node or pod over the last minutes. */
export function Charts(p: { samples: Sample[]; unavailable?: string }) {
  if (p.unavailable && p.samples.length === 0) return <p class="muted">metrics unavailable: {p.unavailable}</p>;
  if (p.samples.length === 0) return null;
  return (
    <div class="charts" data-testid="charts">
      <Chart title="CPU (cores)" samples={p.samples} field="cpu" />
      <Chart title="Memory (MiB)" samples={p.samples} field="memory" />
    </div>
  );
}
