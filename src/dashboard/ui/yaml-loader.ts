/** The YAML library loads with the first editor that opens, not with the page (a chunk of its own). */
type YamlModule = typeof import('yaml');
let yamlModule: Promise<YamlModule> | undefined;
export const loadYaml = () => (yamlModule ??= import('yaml'));
