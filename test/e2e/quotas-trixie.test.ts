/** The quotas scenario (quotas-scenario.ts) on the Debian trixie image. */
import { quotasScenario } from './quotas-scenario';
import { GLANCE_IMAGES } from './sandboxed-glance';

quotasScenario(GLANCE_IMAGES.trixie);
