/** Placeholder; replaced by the real UI below. */
export const UI_HTML = '<!doctype html><title>wharf registry</title>';
export const UI_SCRIPT = '';
