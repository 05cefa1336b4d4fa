declare module "zapier-platform-schema" {
  /** Checks an app definition (functions already serialized, as the core does) against Zapier's JSON schema. */
  export const validateAppDefinition: (definition: unknown) => { readonly errors: ReadonlyArray<unknown> }
}
