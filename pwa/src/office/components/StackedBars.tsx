/** A horizontal stacked bar chart (ECharts, loaded with the screen that draws it, rendered on a canvas). */
import { useEffect, useRef } from "preact/hooks";

export interface Series {
  name: string;
  values: (number | null)[];
  color?: string;
}

export function StackedBars(props: { categories: string[]; series: Series[]; label: string; testId: string; suffix?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose: () => void; resize: () => void } | null = null;
    const resize = () => chart?.resize();
    void (async () => {
      const echarts = await import("echarts/core");
      const { BarChart } = await import("echarts/charts");
      const { GridComponent, LegendComponent, TooltipComponent } = await import("echarts/components");
      const { CanvasRenderer } = await import("echarts/renderers");
      echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);
      if (disposed || !box.current) return;
      const suffix = props.suffix ?? "";
      const instance = echarts.init(box.current);
      instance.setOption({
        animation: false,
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          valueFormatter: (value: unknown) => (value === null || value === undefined ? "—" : `${String(value)}${suffix}`),
        },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "value", axisLabel: { formatter: `{value}${suffix}` } },
        yAxis: { type: "category", data: props.categories, inverse: true },
        series: props.series.map((item) => ({
          name: item.name,
          type: "bar",
          stack: "total",
          data: item.values,
          itemStyle: item.color ? { color: item.color } : undefined,
        })),
      });
      chart = instance;
      window.addEventListener("resize", resize);
    })();
    return () => {
      disposed = true;
      window.removeEventListener("resize", resize);
      chart?.dispose();
    };
  }, [props.suffix, JSON.stringify(props.categories), JSON.stringify(props.series)]);
  const height = Math.max(160, 48 + props.categories.length * 32);
  return <div ref={box} class="chart" role="img" aria-label={props.label} data-testid={props.testId} style={{ height: `${height}px` }} />;
}
