export const strings = {
  zh: { "portal.title": "经销商订货平台" },
  en: { "portal.title": "Dealer portal" },
};
