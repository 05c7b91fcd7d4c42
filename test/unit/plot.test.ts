import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineChartSvg, ticks } from '../../bench/plot';

describe('bench line chart', () => {
  it('when the maximum is any size, then the ticks are round steps from 0 past it', () => {
    assert.deepEqual(ticks(7), [0, 2, 4, 6, 8]);
    assert.deepEqual(ticks(50_000), [0, 10_000, 20_000, 30_000, 40_000, 50_000]);
    assert.deepEqual(ticks(0.9), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(ticks(0), [0, 1]);
  });

  it('when a chart has two series and a marker out of range, then it has two lines, a legend and no stray marker', () => {
    const svg = lineChartSvg({
      title: 'RSS <worker>',
      xLabel: 'conversations',
      yLabel: 'MiB',
      series: [
        {
          label: 'worker',
          colour: '#111',
          points: [
            [0, 300],
            [100, 500],
          ],
        },
        {
          label: 'API',
          colour: '#222',
          points: [
            [0, 100],
            [100, 110],
          ],
        },
      ],
      markers: [{ x: 10_000, label: 'cache full' }],
    });
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.match(svg, /RSS &lt;worker&gt;/);
    assert.match(svg, />worker</);
    assert.doesNotMatch(svg, /cache full/);
    // 300 MiB at 0 is three fifths up the left edge; 500 MiB at 100 conversations the top-right corner.
    assert.match(svg, /points="64\.0,162\.4 704\.0,36\.0"/);
  });
});
