// RegExp.escape (ES2025, in Node 24) is not in TypeScript's es2024 lib.
interface RegExpConstructor {
  escape(text: string): string;
}
