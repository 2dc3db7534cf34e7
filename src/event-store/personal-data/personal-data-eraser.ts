/** What erases a subject's personal data: the store layer, which alone holds the keys. */
export interface PersonalDataEraser {
  erasePersonalData(subject: string): Promise<void>;
}

export const erasesPersonalData = (store: unknown): store is PersonalDataEraser =>
  typeof (store as Partial<PersonalDataEraser>).erasePersonalData === 'function';
