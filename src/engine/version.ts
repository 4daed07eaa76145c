/** wharf's own version and the Docker API level it follows. */
export const WHARF_VERSION = '0.1.0';
export const API_VERSION = '1.41';
