/** The embedded database's URL, known before it starts (so the server can hand it out at once); kept apart from embedded.ts so that naming it loads no PGlite. */
export const embeddedUrl = (port: number): string => `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
