const enc = encodeURIComponent;
export const showcasesPath = () => '/showcases';
export const showcasePath = (id: string) => `/showcases/${enc(id)}`;
export const editShowcasePath = (id: string) => `${showcasePath(id)}/edit`;
