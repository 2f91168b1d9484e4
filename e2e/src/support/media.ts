/** A multipart body with one file in the field `file`. */
export function fileForm(content: Buffer, filename: string, contentType: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(content)], { type: contentType }), filename);
  return form;
}
