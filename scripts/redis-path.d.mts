export const DEBIAN_REDIS: string;
export function findRedisServer(): string | undefined;
