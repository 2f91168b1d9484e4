/** Domain events published by the social service (subject `social.events.<type>`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SocialEvents {}
