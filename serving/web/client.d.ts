/** The page's browser script (client.js); the server sends its source text (assets.ts). */
export declare function pageScript(): void;
