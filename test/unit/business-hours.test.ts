import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addBusinessMinutes, businessHoursSchema, isOpen, nextOpening } from '../../settings/business-hours';

const day = [{ from: '09:00', to: '18:00' }];
const hours = businessHoursSchema.parse({
  weekly: { mon: day, tue: day, wed: day, thu: day, fri: day },
  holidays: ['2026-12-25'],
});
const LISBON = 'Europe/Lisbon';
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('business hours', () => {
  it('when it is a weekday within the schedule, then the team is open; at night, on weekends and holidays it is not', () => {
    assert.equal(isOpen(hours, LISBON, at('2026-12-02T10:00:00Z')), true);
    assert.equal(isOpen(hours, LISBON, at('2026-12-02T19:00:00Z')), false);
    assert.equal(isOpen(hours, LISBON, at('2026-12-05T10:00:00Z')), false, 'Saturday');
    assert.equal(isOpen(hours, LISBON, at('2026-12-25T10:00:00Z')), false, 'holiday');
    assert.equal(isOpen(undefined, LISBON, at('2026-12-25T03:00:00Z')), true, 'no schedule: always');
  });

  it('when closed, then the next opening skips nights, weekends and holidays, in the schedule timezone', () => {
    assert.equal(iso(nextOpening(hours, LISBON, at('2026-12-04T19:00:00Z'))), '2026-12-07T09:00:00.000Z');
    assert.equal(iso(nextOpening(hours, LISBON, at('2026-12-24T18:30:00Z'))), '2026-12-28T09:00:00.000Z');
    // Summer time: 09:00 in Lisbon is 08:00 UTC.
    assert.equal(iso(nextOpening(hours, LISBON, at('2026-07-01T20:00:00Z'))), '2026-07-02T08:00:00.000Z');
    assert.equal(
      iso(nextOpening(hours, 'America/Sao_Paulo', at('2026-12-02T10:00:00Z'))),
      '2026-12-02T12:00:00.000Z',
    );
  });

  it('when minutes are added in business time, then closed hours do not count', () => {
    const friday1750 = at('2026-12-04T17:50:00Z');
    assert.equal(iso(addBusinessMinutes(hours, LISBON, friday1750, 15)), '2026-12-07T09:05:00.000Z');
    assert.equal(
      iso(addBusinessMinutes(hours, LISBON, at('2026-12-02T20:00:00Z'), 15)),
      '2026-12-03T09:15:00.000Z',
    );
    assert.equal(
      iso(addBusinessMinutes(hours, LISBON, at('2026-12-02T10:00:00Z'), 60)),
      '2026-12-02T11:00:00.000Z',
    );
    assert.equal(iso(addBusinessMinutes(undefined, LISBON, friday1750, 15)), '2026-12-04T18:05:00.000Z');
  });

  it('when a schedule is invalid, then the schema names why', () => {
    const bad = businessHoursSchema.safeParse({
      timezone: 'Mars/Olympus',
      weekly: {
        mon: [{ from: '10:00', to: '09:00' }],
        tue: [
          { from: '09:00', to: '12:00' },
          { from: '11:00', to: '13:00' },
        ],
      },
    });
    assert.equal(bad.success, false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(
      messages.some((m) => m.startsWith('timezone: must be an IANA timezone')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('weekly.mon.0: from must be before to')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('weekly.tue: intervals of a day must not overlap')),
      messages.join('\n'),
    );
  });
});
