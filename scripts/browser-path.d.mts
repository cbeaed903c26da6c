export const DEBIAN_CHROMIUM: string;
export function findChromium(): string | undefined;
export const CHROMIUM_ARGS: string[];
