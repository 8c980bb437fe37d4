import { useTranslation } from 'react-i18next';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { GoalAssessment } from '../../../../../shared/api/goal-assessments.ts';
import type { Scale } from '../../../../../shared/api/scales.ts';
import { useFormat } from '../../../lib/format.ts';
import { useLevelText } from './level-picker.tsx';

/**
 * Levels over time, self and teacher as two lines (recharts, SVG). Hidden from assistive technology:
 * the table beside it holds the same data and is the accessible form (recharts' own keyboard layer is off,
 * so that nothing focusable sits inside the hidden part).
 */
export default function GrowthChart({ scale, assessments }: { scale: Scale; assessments: readonly GoalAssessment[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const levelText = useLevelText();
  const data = assessments.map((a) => ({
    time: new Date(a.createdAt).getTime(),
    self: a.kind === 'self' ? a.level : null,
    teacher: a.kind === 'teacher' ? a.level : null,
  }));
  const ticks = scale.levels.map((_, i) => i);
  return (
    <div className="growth-chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            padding={{ left: 24, right: 24 }}
            tickFormatter={(v: number) => format.date(new Date(v).toISOString())}
          />
          <YAxis
            type="number"
            domain={[0, Math.max(0, scale.levels.length - 1)]}
            ticks={ticks}
            allowDecimals={false}
            width={140}
            tickFormatter={(v: number) => levelText(scale, v)}
          />
          <Tooltip labelFormatter={(v) => format.dateTime(new Date(Number(v)).toISOString())} formatter={(v) => levelText(scale, Number(v))} />
          <Legend />
          <Line name={t('goalPage.self')} dataKey="self" stroke="#1b6e4f" strokeWidth={3} connectNulls dot={{ r: 6 }} isAnimationActive={false} />
          <Line
            name={t('goalPage.teacher')}
            dataKey="teacher"
            stroke="#6b3fa0"
            strokeWidth={3}
            strokeDasharray="6 4"
            connectNulls
            dot={{ r: 6, strokeDasharray: '0' }}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
