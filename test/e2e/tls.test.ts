/** The TLS scenario (tls-scenario.ts) on the Debian bookworm image: Glance 25.1.0. */
import { GLANCE_IMAGES } from './sandboxed-glance';
import { tlsScenario } from './tls-scenario';

tlsScenario(GLANCE_IMAGES.bookworm);
