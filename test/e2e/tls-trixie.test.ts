/** The TLS scenario (tls-scenario.ts) on the Debian trixie image: Glance 30.0.0. */
import { GLANCE_IMAGES } from './sandboxed-glance';
import { tlsScenario } from './tls-scenario';

tlsScenario(GLANCE_IMAGES.trixie);
