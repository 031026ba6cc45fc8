/** The real-Glance scenario (real-glance-scenario.ts) on the Debian trixie image. */
import { realGlanceScenario } from './real-glance-scenario';
import { GLANCE_IMAGES } from './sandboxed-glance';

realGlanceScenario(GLANCE_IMAGES.trixie);
