/** Who this browser is: the display name (kept across visits) and the server token (kept for this tab only). */
const NAME_KEY = 'mlops-mcp.name';
const TOKEN_KEY = 'mlops-mcp.token';

export const session = {
  get name(): string {
    return localStorage.getItem(NAME_KEY) ?? '';
  },
  set name(value: string) {
    localStorage.setItem(NAME_KEY, value);
  },
  get token(): string {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  },
  set token(value: string) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};
