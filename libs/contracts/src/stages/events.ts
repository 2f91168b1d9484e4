/** Domain events published by the stages service (subject `stages.events.<type>`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StagesEvents {}
