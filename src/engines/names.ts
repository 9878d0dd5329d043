/** The engines a phase can think with. Kept free of imports: the spec schema and the tools both name them. */
export const ENGINE_NAMES = ['template', 'sampling', 'anthropic'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export type ModelEngineName = Exclude<EngineName, 'template'>;
