// One ECharts instance per element; options replace on change, resize follows the element.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts';

export function EChart({ option, height = 280, testId, onClick }: { option: echarts.EChartsCoreOption; height?: number; testId?: string; onClick?: (p: { dataIndex: number; seriesIndex?: number }) => void }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'svg' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  useEffect(() => {
    const c = chart.current;
    if (!c || !onClick) return;
    const h = (p: unknown) => onClick(p as { dataIndex: number; seriesIndex?: number });
    c.on('click', h);
    return () => void c.off('click', h);
  }, [onClick]);
  return <div ref={el} className="echart" style={{ height }} data-testid={testId} />;
}
