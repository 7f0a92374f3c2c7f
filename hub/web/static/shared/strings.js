// Strings of the shell (shared/shell.js); pages add their own.
export const strings = {
  zh: {
    skip: "跳到正文",
    "nav.main": "主菜单",
    "lang.label": "语言",
    logout: "退出",
    "logout.done": "已退出",
    "login.title": "登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.welcome": "欢迎，{name}",
  },
  en: {
    skip: "Skip to content",
    "nav.main": "Main",
    "lang.label": "Language",
    logout: "Log out",
    "logout.done": "Logged out",
    "login.title": "Log in",
    "login.username": "User name",
    "login.password": "Password",
    "login.submit": "Log in",
    "login.welcome": "Welcome, {name}",
  },
};
