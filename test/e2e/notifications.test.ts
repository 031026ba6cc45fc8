/** The notifications scenario (notifications-scenario.ts) with a plain transport URL. */
import { notificationsScenario } from './notifications-scenario';

notificationsScenario(false);
