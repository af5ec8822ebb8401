/// FAISS index tags and the classes they name (faiss-format.md §4–§18), so that a file of a
/// type VecTUI cannot load yet is refused by name rather than as garbage.
enum FaissFourCCs {
    static let flatIP = FourCC("IxFI")
    static let flatL2 = FourCC("IxF2")
    static let flatOther = FourCC("IxFl")
    static let idMap = FourCC("IxMp")
    static let idMap2 = FourCC("IxM2")
    static let null = FourCC("null")
    static let hnswFlat = FourCC("IHNf")

    /// Class names of the tags FAISS writes or reads that VecTUI does not load yet.
    static let recognised: [String: String] = [
        "IvFl": "IndexIVFFlat (legacy layout)", "IvFL": "IndexIVFFlat (legacy layout)",
        "IwFd": "IndexIVFFlatDedup", "IvSQ": "IndexIVFScalarQuantizer (legacy)",
        "IwSQ": "IndexIVFScalarQuantizer (legacy)", "IvPQ": "IndexIVFPQ (legacy)",
        "IwQR": "IndexIVFPQR", "IvQR": "IndexIVFPQR (legacy)", "IwIQ": "IndexIVF with independent quantizer",
        "IxPQ": "IndexPQ (legacy)", "IxPo": "IndexPQ (legacy)",
        "IHNs": "IndexHNSWSQ", "IHNp": "IndexHNSWPQ", "IHN2": "IndexHNSW2Level",
        "IHNc": "IndexHNSWCagra", "IHc2": "IndexHNSWCagra", "IHfP": "IndexHNSWFlatPanorama", "IH00": "IndexHNSW",
        "IxHe": "IndexLSH", "IxHE": "IndexLSH (legacy)", "Ix2L": "Index2Layer",
        "IxLa": "IndexLattice", "IxPT": "IndexPreTransform", "Imiq": "MultiIndexQuantizer",
        "ImRQ": "ResidualCoarseQuantizer", "IxRq": "IndexResidualQuantizer", "IxRQ": "IndexResidualQuantizer (legacy)",
        "IxLS": "IndexLocalSearchQuantizer", "IxPR": "IndexProductResidualQuantizer",
        "IxPL": "IndexProductLocalSearchQuantizer", "IwRQ": "IndexIVFResidualQuantizer",
        "IwLS": "IndexIVFLocalSearchQuantizer", "IwPR": "IndexIVFProductResidualQuantizer",
        "IwPL": "IndexIVFProductLocalSearchQuantizer", "IPfs": "IndexPQFastScan", "IwPf": "IndexIVFPQFastScan",
        "ILfs": "IndexLocalSearchQuantizerFastScan", "IRfs": "IndexResidualQuantizerFastScan",
        "IPLf": "IndexProductLocalSearchQuantizerFastScan", "IPRf": "IndexProductResidualQuantizerFastScan",
        "IVLf": "IndexIVFLocalSearchQuantizerFastScan", "IVRf": "IndexIVFResidualQuantizerFastScan",
        "NPLf": "IndexIVFProductLocalSearchQuantizerFastScan", "NPRf": "IndexIVFProductResidualQuantizerFastScan",
        "IwSh": "IndexIVFSpectralHash", "INSf": "IndexNSGFlat", "INSp": "IndexNSGPQ", "INSs": "IndexNSGSQ",
        "INNf": "IndexNNDescentFlat", "IRMf": "IndexRowwiseMinMax", "IRMh": "IndexRowwiseMinMaxFP16",
        "IxFP": "IndexFlatPanorama", "IxFp": "IndexFlatPanorama", "IxRP": "IndexRefinePanorama",
        "IwPn": "IndexIVFFlatPanorama", "IwP2": "IndexIVFFlatPanorama", "Ixrq": "IndexRaBitQ", "Iwrq": "IndexIVFRaBitQ",
        "Irfs": "IndexRaBitQFastScan", "Iwrf": "IndexIVFRaBitQFastScan", "Ixrr": "IndexRaBitQ (multi-bit)",
        "Iwrr": "IndexIVFRaBitQ (multi-bit)", "Irfn": "IndexRaBitQFastScan (multi-bit)",
        "Iwrn": "IndexIVFRaBitQFastScan (multi-bit)", "IxEe": "IndexEden", "IwEe": "IndexIVFEden",
        "ISVD": "IndexSVS", "ISVF": "IndexSVSFlat", "ILVQ": "IndexSVSLVQ", "ISVL": "IndexSVSLeanVec",
        "ISID": "IndexSVSIVF", "ISIL": "IndexSVSIVF", "ISIQ": "IndexSVSIVF", "ISV2": "IndexSVS",
        "IBxF": "IndexBinaryFlat (binary index)", "IBwF": "IndexBinaryIVF (binary index)",
        "IBFf": "IndexBinaryFromFloat (binary index)", "IBHf": "IndexBinaryHNSW (binary index)",
        "IBHc": "IndexBinaryHNSWCagra (binary index)", "IBMp": "IndexBinaryIDMap (binary index)",
        "IBM2": "IndexBinaryIDMap2 (binary index)", "IBHh": "IndexBinaryHash (binary index)",
        "IBHm": "IndexBinaryMultiHash (binary index)",
    ]
}
