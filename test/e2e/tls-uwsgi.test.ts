/**
 * The TLS scenario (tls-scenario.ts) served as releases from 2026.1 are (lib/api-serving.ts): uWSGI
 * behind the TLS terminator, on the Debian trixie image (Glance 30.0.0; 32 is not packaged here).
 */
import { GLANCE_IMAGES } from './sandboxed-glance';
import { tlsScenario } from './tls-scenario';
import { GlanceRelease } from '../../lib';

tlsScenario(GLANCE_IMAGES.trixie, GlanceRelease.of('2026.1'));
