export const notificationsPath = () => '/notifications';
