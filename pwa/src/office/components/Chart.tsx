/** Line and column charts (ECharts, loaded with the screen that draws them, rendered on a canvas). */
import { useEffect, useRef } from "preact/hooks";

export interface Line {
  name: string;
  /** One value per category; null leaves a gap (nothing to divide by that month). */
  values: (number | null)[];
  color?: string;
}

/** Lines (`kind: "line"`) or grouped columns (`kind: "bar"`) over categories along the bottom. */
export function Chart(props: {
  kind: "line" | "bar";
  categories: string[];
  series: Line[];
  label: string;
  testId: string;
  /** Written after each value on the axis and in the tooltip ("%"). */
  suffix?: string;
  /** Whole numbers only on the value axis (counts). */
  integer?: boolean;
  height?: number;
}) {
  const suffix = props.suffix ?? "";
  const option = {
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: (value: unknown) => (value === null || value === undefined ? "—" : `${String(value)}${suffix}`) },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: props.categories },
    yAxis: { type: "value", minInterval: props.integer ? 1 : undefined, axisLabel: { formatter: `{value}${suffix}` } },
    series: props.series.map((item) => ({
      name: item.name,
      type: props.kind,
      data: item.values,
      connectNulls: false,
      itemStyle: item.color ? { color: item.color } : undefined,
      lineStyle: item.color && props.kind === "line" ? { color: item.color } : undefined,
    })),
  };
  return <EChart option={option} label={props.label} testId={props.testId} height={props.height} />;
}

/**
 * Any ECharts option drawn on a canvas: lines and columns on one or more panels, with shaded areas and marks
 * and the zoom bar along the bottom. A new option (compared as JSON; formatters go with it) draws again.
 */
export function EChart(props: { option: object; label: string; testId: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const key = JSON.stringify(props.option);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose: () => void; resize: () => void } | null = null;
    const resize = () => chart?.resize();
    void (async () => {
      const echarts = await import("echarts/core");
      const { BarChart, LineChart } = await import("echarts/charts");
      const { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent } = await import("echarts/components");
      const { CanvasRenderer } = await import("echarts/renderers");
      echarts.use([BarChart, LineChart, DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent, CanvasRenderer]);
      if (disposed || !box.current) return;
      const instance = echarts.init(box.current);
      instance.setOption(props.option as Record<string, unknown>);
      chart = instance;
      window.addEventListener("resize", resize);
    })();
    return () => {
      disposed = true;
      window.removeEventListener("resize", resize);
      chart?.dispose();
    };
  }, [key]);
  return <div ref={box} class="chart" role="img" aria-label={props.label} data-testid={props.testId} style={{ height: `${props.height ?? 260}px` }} />;
}
