/** The notifications scenario (notifications-scenario.ts) over TLS to the bus, as with the operator's TLS on. */
import { notificationsScenario } from './notifications-scenario';

notificationsScenario(true);
