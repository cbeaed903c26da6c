import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { encodeMultipart } from './multipart.ts';
import { buildBody, buildFormData, bytesPart, type ImagePart } from './request.ts';

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x0d, 0x0a, 0x2d, 0x2d, 1, 2, 3]);
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9]);

/** Reads a body back the way a server's multipart parser does (the platform's own). */
async function parse(body: BodyInit, contentType?: string): Promise<FormData> {
  return new Response(body, contentType ? { headers: { 'content-type': contentType } } : {}).formData();
}

async function describeForm(fd: FormData) {
  const out: unknown[] = [];
  for (const [name, v] of fd.entries()) {
    out.push(typeof v === 'string'
      ? { name, value: v }
      : { name, filename: v.name, type: v.type, bytes: [...new Uint8Array(await v.arrayBuffer())] });
  }
  return out;
}

describe('multipart body from bytes in memory', () => {
  it('parses back to exactly what FormData sends: fields in order, file names, types and bytes', async () => {
    const images: [ImagePart, ImagePart] = [bytesPart('a b.jpg', jpeg, 'image/jpeg'), bytesPart('é_image2.png', png, 'image/png')];
    const settings = { contract: kwikid, uniqueId: ' case-42 ' };
    const encoded = buildBody(settings, images);
    expect(encoded.body).toBeInstanceOf(Uint8Array);
    expect(encoded.contentType).toMatch(/^multipart\/form-data; boundary=-+FacematchBoundary[0-9a-f]{32}$/);
    const viaBytes = await describeForm(await parse(encoded.body, encoded.contentType));
    const viaFormData = await describeForm(await parse(buildFormData(settings, images)));
    expect(viaBytes).toEqual(viaFormData);
    expect(viaBytes).toEqual([
      { name: 'image1', filename: 'a b.jpg', type: 'image/jpeg', bytes: [...jpeg] },
      { name: 'image2', filename: 'é_image2.png', type: 'image/png', bytes: [...png] },
      { name: 'unique_id', value: 'case-42' },
    ]);
  });

  it('uses the contract\'s own field names (Deepvue) and leaves out a field the contract lacks', async () => {
    const images: [ImagePart, ImagePart] = [bytesPart('x.jpg', jpeg, 'image/jpeg'), bytesPart('y.jpg', jpeg, 'image/jpeg')];
    const encoded = buildBody({ contract: deepvue, uniqueId: 'ignored' }, images);
    const fields = [...(await parse(encoded.body, encoded.contentType)).keys()];
    expect(fields).toEqual([...deepvue.imageFields]);
  });

  it('escapes quotes and line breaks in a file name instead of breaking the part header', async () => {
    const { body, contentType } = encodeMultipart([{ name: 'image1', filename: 'a"b\r\nc.jpg', type: 'image/jpeg', bytes: jpeg }]);
    expect(new TextDecoder().decode(body)).toContain('filename="a%22b%0D%0Ac.jpg"');
    const fd = await parse(body, contentType);
    expect([...fd.keys()]).toEqual(['image1']);
    const file = fd.get('image1') as File;
    expect(file.name).toBe('a"b\r\nc.jpg');
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([...jpeg]);
  });

  it('falls back to FormData when an image is a Blob only (a file chosen in Single)', () => {
    const blobOnly: ImagePart = { name: 'a.jpg', data: new Blob([jpeg], { type: 'image/jpeg' }) };
    const encoded = buildBody({ contract: kwikid }, [blobOnly, bytesPart('b.jpg', jpeg, 'image/jpeg')]);
    expect(encoded.body).toBeInstanceOf(FormData);
    expect(encoded.contentType).toBeUndefined();
  });

  it('makes the Blob of a bytes part only when asked, once', async () => {
    const part = bytesPart('a.jpg', jpeg, 'image/jpeg');
    expect(part.data).toBe(part.data);
    expect(part.data.type).toBe('image/jpeg');
    expect([...new Uint8Array(await part.data.arrayBuffer())]).toEqual([...jpeg]);
  });
});
