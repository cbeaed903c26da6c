/** The app's version, from package.json (only this field reaches the bundle). */
import { version } from '../../../package.json' with { type: 'json' };

export const APP_NAME = 'facematch-playground';
export const APP_VERSION: string = version;
