/** The quotas scenario (quotas-scenario.ts) on the Debian bookworm image. */
import { quotasScenario } from './quotas-scenario';
import { GLANCE_IMAGES } from './sandboxed-glance';

quotasScenario(GLANCE_IMAGES.bookworm);
