export declare const TYPES: readonly string[];
export declare const SCOPES: readonly string[];
export declare function checkSubject(subject: string): string | undefined;
