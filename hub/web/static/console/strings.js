export const strings = {
  zh: { "console.title": "运维控制台" },
  en: { "console.title": "Operations console" },
};
