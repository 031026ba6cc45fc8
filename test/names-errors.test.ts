/**
 * The validation error every refusal goes through, and the name and reference checks, on their
 * own with exact messages.
 */
import { Chart, Testing } from 'cdk8s';
import { Errors } from '../lib';
import { expectInvalid } from './helpers';
import { GlanceValidationError, locate } from '../lib/errors';
import {
  checkDerivedName, checkLine, checkNamePart, checkSecretKey, HOST, HTTP_URL, NameKind, NameRegistry, workerSelfReferenceUrl,
} from '../lib/names';

describe('GlanceValidationError', () => {
  test('the message names the prop, the problem, the value and the fix', () => {
    const err = new GlanceValidationError('imageCache.size', '10 Gi', 'is not a quantity', 'write "10Gi"');
    expect(err.message).toBe('imageCache.size: is not a quantity (got "10 Gi"). Fix: write "10Gi"');
    expect(err.name).toBe('GlanceValidationError');
    expect([err.prop, err.value, err.problem, err.fix]).toEqual(['imageCache.size', '10 Gi', 'is not a quantity', 'write "10Gi"']);
    expect(err).toBeInstanceOf(Error);
  });

  test.each([
    [undefined, 'undefined'], [null, 'null'], [42, '42'], [{ a: [1] }, '{"a":[1]}'], ['a"b', '"a\\"b"'],
    [10n, '10'], [() => 1, '() => 1'], [Symbol.for('s'), 'Symbol(s)'],
  ])('the value %p is shown as %s', (value, shown) => {
    expect(new GlanceValidationError('p', value, 'x', 'y').message).toBe(`p: x (got ${shown}). Fix: y`);
  });

  test('a value that refers to itself is shown, not a crash', () => {
    const cyclic: any = { name: 'a' };
    cyclic.self = cyclic;
    expect(new GlanceValidationError('p', cyclic, 'x', 'y').message).toBe('p: x (got [object Object]). Fix: y');
  });

  const located = () => new GlanceValidationError('size', 'x', 'is bad', 'fix it').locate('app/glance/api');

  test('a new error has no construct path', () => {
    expect(new GlanceValidationError('size', 'x', 'is bad', 'fix it').constructPath).toBeUndefined();
  });

  test('locate keeps the innermost construct path', () => {
    const err = new GlanceValidationError('size', 'x', 'is bad', 'fix it');
    expect(err.locate('app/glance/api')).toBe(err);
    err.locate('app/glance');
    expect(err.constructPath).toBe('app/glance/api');
  });

  test('renamed names another prop and keeps the construct path and the fix', () => {
    const renamed = located().renamed('spec.imageCache.size');
    expect(renamed.message).toBe('spec.imageCache.size: is bad (got "x"). Fix: fix it');
    expect(renamed.constructPath).toBe('app/glance/api');
  });

  test('renamed takes a fix of its own', () => {
    expect(located().renamed('--size', 'use --size 10Gi').message).toBe('--size: is bad (got "x"). Fix: use --size 10Gi');
  });

  test('renamed leaves an error without a construct path without one', () => {
    expect(new GlanceValidationError('a', 1, 'b', 'c').renamed('d').constructPath).toBeUndefined();
  });

  test('locate() gives our errors the scope\'s path and leaves other errors alone', () => {
    const chart = new Chart(Testing.app(), 'c');
    const ours = new GlanceValidationError('p', 1, 'x', 'y');
    expect(locate(ours, chart)).toBe(ours);
    expect(ours.constructPath).toBe('c');
    const other = new Error('boom');
    expect(locate(other, chart)).toBe(other);
    expect(Object.keys(other)).toEqual([]);
  });

  test('Errors.isValidationError recognizes ours, also from another copy of the package, and nothing else', () => {
    expect(Errors.isValidationError(new GlanceValidationError('p', 1, 'x', 'y'))).toBe(true);
    const copy = Object.defineProperty(new Error('from another copy'), Symbol.for('cdk8s-glance.GlanceValidationError'), { value: true });
    expect(Errors.isValidationError(copy)).toBe(true);
    for (const x of [new Error('x'), { prop: 'p' }, null, undefined, 'GlanceValidationError', 42]) expect(Errors.isValidationError(x)).toBe(false);
  });
});

describe('names', () => {
  test('workerSelfReferenceUrl: the replica through its headless Service, in the pod\'s namespace, on 9292', () => {
    expect(workerSelfReferenceUrl('glance-default-single', '$(POD_NAME)')).toBe('http://$(POD_NAME).glance-default-single.$(POD_NAMESPACE).svc:9292');
    expect(workerSelfReferenceUrl('g', 'g-2')).toBe('http://g-2.g.$(POD_NAMESPACE).svc:9292');
  });

  test.each(['a', '0', 'a-b', 'a1', 'a'.repeat(63)])('checkNamePart accepts %j', (name) => {
    expect(() => checkNamePart('name', name)).not.toThrow();
  });

  test.each(['', 'A', 'a_b', '-a', 'a-', 'a.b', 'a b', 'a'.repeat(64), 7, undefined])('checkNamePart refuses %j', (name) => {
    expectInvalid(() => checkNamePart('name', name as string), 'name', /is not a DNS-1123 label.*Fix: use at most 63 lower-case letters/);
  });

  test('checkDerivedName: the pattern of the kind, then its length, with how much to shorten', () => {
    expect(() => checkDerivedName('name', 'a'.repeat(52), NameKind.STATEFUL_SET, 'StatefulSet')).not.toThrow();
    expectInvalid(() => checkDerivedName('name', 'a'.repeat(53), NameKind.CRON_JOB, 'CronJob'), 'name',
      /gives the CronJob name "a{53}" of 53 characters, over the limit of 52.*Fix: shorten name by at least 1 characters/);
    expect(() => checkDerivedName('name', 'a'.repeat(63), NameKind.OBJECT, 'Secret')).not.toThrow();
    expectInvalid(() => checkDerivedName('name', 'a'.repeat(65), NameKind.SERVICE, 'Service'), 'name',
      /of 65 characters, over the limit of 63.*by at least 2/);
    expectInvalid(() => checkDerivedName('apis', '9api', NameKind.SERVICE, 'Service'), 'apis',
      /gives the Service name "9api", which is not a valid DNS label.*Fix: start the name with a letter/);
    expectInvalid(() => checkDerivedName('apis', 'Api', NameKind.OBJECT, 'Secret'), 'apis', /not a valid DNS label.*Fix: use lower-case letters/);
  });

  test.each([
    ['1glance-db-config', NameKind.OBJECT, 'Secret'],
    ['1glance-default-single', NameKind.STATEFUL_SET, 'StatefulSet'],
  ])('checkDerivedName: the %s name %j may start with a digit', (name, kind, what) => {
    expect(() => checkDerivedName('name', name, kind, what)).not.toThrow();
  });

  test('checkDerivedName: a Service name may not start with a digit (DNS-1035)', () => {
    expectInvalid(() => checkDerivedName('name', '1glance-default', NameKind.SERVICE, 'Service'), 'name', /start the name with a letter/);
  });

  test('checkDerivedName: a Service name of one letter is valid', () => {
    expect(() => checkDerivedName('p', 'a', NameKind.SERVICE, 'Service')).not.toThrow();
  });

  test.each(['ab_', 'ab-'])('checkDerivedName: the Service name %j is no DNS label', (name) => {
    expectInvalid(() => checkDerivedName('p', name, NameKind.SERVICE, 'Service'), 'p', /not a valid DNS label/);
  });

  test('NameRegistry refuses a second claim on a name, naming the first', () => {
    const names = new NameRegistry();
    names.claim('Service', 'glance-default', 'apis.a');
    names.claim('Secret', 'glance-default', 'apis.b');
    expect(names.owner('Service', 'glance-default')).toBe('apis.a');
    expect(names.owner('Service', 'other')).toBeUndefined();
    expectInvalid(() => names.claim('Service', 'glance-default', 'apis.c'), 'apis.c',
      /gives a Service named "glance-default", which apis.a already uses.*Fix: rename one of the APIs/);
  });

  test.each(['cloud-images.ubuntu.com', 'a', '192.0.2.7', '2001:db8::7', '[2001:db8::7]', '::1', 'fe80:0:0:0:0:0:0:1', 'A-1.example',
    `${'a'.repeat(63)}.com`])(
    'HOST accepts %j', (host) => {
      expect(HOST.test(host)).toBe(true);
    });

  test.each(['', '-a.com', 'a-.com', 'a..com', 'a b', 'http://a', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}ab`, 'a_b.com',
    // Found by this test: hex letters and dots once passed as an IPv6 address, whatever their length.
    'a..b', `${'a.'.repeat(200)}a`, '1:2:3:4:5:6:7:8:9', '12345::1', ':'])('HOST refuses %j', (host) => {
    expect(HOST.test(host)).toBe(false);
  });

  test.each([
    ['http://keystone:5000', true], ['https://ks.example/v3', true], ['https://ks', true],
    ['ftp://ks', false], ['http://', false], ['http://a b', false], ['http://ks/\n', false], ['keystone:5000', false],
    // Anchored: a scheme that only ends in "http" is none.
    ['xhttp://ks:5000', false],
  ])('HTTP_URL %j: %p', (url, ok) => {
    expect(HTTP_URL.test(url)).toBe(ok);
  });

  test('checkSecretKey: required, a DNS name, a key Kubernetes accepts', () => {
    expect(() => checkSecretKey('db', { name: 'glance-db', key: 'connection.url_1-x' })).not.toThrow();
    expectInvalid(() => checkSecretKey('db', undefined), 'db', /is required.*Fix: name the Secret and key/);
    expectInvalid(() => checkSecretKey('db', { name: 'Glance', key: 'k' }), 'db.name', /DNS-1123/);
    expectInvalid(() => checkSecretKey('db', { name: 'g', key: 'a/b' }), 'db.key', /is not a valid Secret key.*Fix: use letters, digits/);
    expectInvalid(() => checkSecretKey('db', { name: 'g', key: '' }), 'db.key', /is not a valid Secret key/);
    expectInvalid(() => checkSecretKey('db', { name: 'g' } as any), 'db.key', /is not a valid Secret key/);
  });

  test.each(['', ' ', 'a\nb', 'a\rb', 'a\0b', 5, undefined])('checkLine refuses %j', (value) => {
    expectInvalid(() => checkLine('keystone.region', value, 'use one line'), 'keystone.region', /is empty or spans lines.*Fix: use one line/);
  });

  test('checkLine accepts a line with spaces', () => {
    expect(() => checkLine('p', ' region one ', 'f')).not.toThrow();
  });
});
