import * as dcmjs from 'dcmjs';

/** A DICOM Part 10 file from a naturalized dataset, written by dcmjs (small fixtures made inside the tests). */
export function dicomFile(dataset: Record<string, unknown>, transferSyntax = '1.2.840.10008.1.2.1'): Buffer {
  const { DicomMetaDictionary, DicomDict } = (dcmjs as any).data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: '2.25.1',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset({ _vrMap: { PixelData: 'OW' }, ...dataset });
  return Buffer.from(dict.write());
}

export const ct = (pixels: Int16Array, rows: number, columns: number) => ({
  SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
  SOPInstanceUID: '2.25.100',
  Modality: 'CT',
  Rows: rows,
  Columns: columns,
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  BitsAllocated: 16,
  BitsStored: 16,
  HighBit: 15,
  PixelRepresentation: 1,
  RescaleSlope: '1',
  RescaleIntercept: '-1024',
  WindowCenter: ['40', '300'],
  WindowWidth: ['400', '1500'],
  PixelData: [pixels.buffer],
});

export const usCine = (frames: Uint8Array[], rows: number, columns: number) => ({
  SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1',
  SOPInstanceUID: '2.25.200',
  Modality: 'US',
  Rows: rows,
  Columns: columns,
  NumberOfFrames: String(frames.length),
  SamplesPerPixel: 3,
  PlanarConfiguration: 0,
  PhotometricInterpretation: 'RGB',
  BitsAllocated: 8,
  BitsStored: 8,
  HighBit: 7,
  PixelRepresentation: 0,
  PixelData: [new Uint8Array(Buffer.concat(frames)).buffer], // a copy: a Buffer's .buffer may be a shared pool
  _vrMap: { PixelData: 'OB' },
});
