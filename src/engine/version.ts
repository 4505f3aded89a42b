// Kept in step with package.json by a unit test (bundles cannot read package.json at run time).
export const ENGINE_VERSION = '0.1.0';
