import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';

/**
 * How many pupils of the group have evidence of each of L1–L7 (recharts, SVG). Hidden from assistive
 * technology: the summary table beside it holds the same numbers and is the accessible form.
 */
export default function CoverageChart({ bars, pupils }: { bars: ReadonlyArray<{ key: string; label: string; count: number }>; pupils: number }) {
  const { t } = useTranslation();
  return (
    <div className="coverage-chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={[...bars]} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="key" />
          <YAxis allowDecimals={false} domain={[0, Math.max(1, pupils)]} width={40} />
          <Tooltip labelFormatter={(key) => bars.find((b) => b.key === key)?.label ?? String(key)} />
          <Bar dataKey="count" name={t('groupInsight.pupilsWithEvidence')} fill="#0b6e4f" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
