/**
 * GlanceRelease, an open set: the named releases, later ones by number, how they are written and
 * ordered, and what is refused.
 */
import { GlanceRelease } from '../lib';
import { expectInvalid, glanceConf, synthGlance } from './helpers';

describe('GlanceRelease.of', () => {
  test('a release number names the release of the constant', () => {
    expect(GlanceRelease.of('2025.1')).toBe(GlanceRelease.EPOXY);
  });

  test('a code name names the release of the constant', () => {
    expect(GlanceRelease.of('Epoxy')).toBe(GlanceRelease.EPOXY);
  });

  test('a name in any case, with white space around, names the release', () => {
    expect(GlanceRelease.of(' EPOXY ')).toBe(GlanceRelease.EPOXY);
  });

  test.each([['2026.1', 32], ['2026.2', 33], ['2027.1', 34]])('the later release %s is accepted by number, with Glance %d', (text, major) => {
    expect(GlanceRelease.of(text).glanceMajor).toBe(major);
  });

  test('a later release is written by its number', () => {
    expect(GlanceRelease.of('2026.1').toString()).toBe('2026.1');
  });

  test('a later release has its number for a code name', () => {
    expect(GlanceRelease.of('2026.1').codeName).toBe('2026.1');
  });

  test.each(['x2025.1', '2025.1x', '2021.2', '1999.1', '2025.3', 'havana', '28', 'CARACAL2', ''])(
    '%j is refused, naming the accepted forms', (text) => {
      expectInvalid(() => GlanceRelease.of(text), 'release',
        /is not a supported OpenStack release.*Fix: use a release number from 2022\.1 on.*yoga, zed/);
    });

  test('a value that is not text is our error, not a TypeError', () => {
    expectInvalid(() => GlanceRelease.of(2025.1 as any), 'release', /is not a supported OpenStack release \(got 2025\.1\)/);
  });
});

describe('named releases', () => {
  test.each([[GlanceRelease.EPOXY, 30], [GlanceRelease.YOGA, 24]])('%s is Glance %d', (release, major) => {
    expect(release.glanceMajor).toBe(major);
  });

  test('a named release is written with its number and code name', () => {
    expect(GlanceRelease.EPOXY.toString()).toBe('2025.1 (epoxy)');
  });
});

describe('order', () => {
  const next = () => GlanceRelease.of('2026.1');

  test('a later release is at least the latest named one', () => {
    expect(next().isAtLeast(GlanceRelease.FLAMINGO)).toBe(true);
  });

  test('a named release is not at least a later one', () => {
    expect(GlanceRelease.FLAMINGO.isAtLeast(next())).toBe(false);
  });

  test('a release is at least itself', () => {
    expect(GlanceRelease.CARACAL.isAtLeast(GlanceRelease.CARACAL)).toBe(true);
  });

  test('a later release gets the defaults of the releases before it: the centralized_db cache driver', () => {
    expect(glanceConf(synthGlance({ release: next(), imageCache: { size: '1Gi' } }), 'glance-default-single').DEFAULT.image_cache_driver)
      .toBe('centralized_db');
  });

  test('the release changes defaults, not object names', () => {
    const names = (release: GlanceRelease) => synthGlance({ release }).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names(GlanceRelease.YOGA)).toEqual(names(GlanceRelease.FLAMINGO));
  });
});
