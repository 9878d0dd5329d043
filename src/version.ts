/** The server's version, in its own module so that `mlops-mcp --version` loads nothing else. */
export const SERVER_VERSION = '0.1.0';
