/** The real-Glance scenario (real-glance-scenario.ts) on the Debian bookworm image. */
import { realGlanceScenario } from './real-glance-scenario';
import { GLANCE_IMAGES } from './sandboxed-glance';

realGlanceScenario(GLANCE_IMAGES.bookworm);
