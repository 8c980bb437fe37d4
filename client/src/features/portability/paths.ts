export const importPath = () => '/import';
