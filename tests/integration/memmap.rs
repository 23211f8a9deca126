//! Memory-mapped arrays (numpy.memmap) handed to C: each mode's semantics
//! through C that writes, shape inference, offsets, numpy's errors, the
//! flags and the `.ctypes` view, and a multi-gigabyte sparse file. Every
//! call goes to the C in `csrc/`; every write is checked in the file itself.

use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use ndarray::Order;
use rctypes::{
    AsCtypes, AsCtypesMut, CFunc, CType, DType, Error, Extent, Flags, IntoMode, Memmap,
    MemmapOptions, Mode, Ptr, RawPtr, TypedCFunc, ndpointer,
};
use tempfile::TempDir;

// `scale_floats` writes in place; `compute_mean` only reads.
use crate::common::{
    call_as, compute_mean as mean, elements, floats_arg2, lib, scale_floats as scale,
};

/// A fresh folder for one test's files, removed when the test ends.
fn folder() -> TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

fn write_f32(path: &Path, values: &[f32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
    fs::write(path, bytes).unwrap();
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_ne_bytes(c.try_into().unwrap()))
        .collect()
}

fn read_f32(path: &Path) -> Vec<f32> {
    f32s(&fs::read(path).unwrap())
}

/// A file of float32 values 1, 2, ..., n.
fn counting_file(dir: &TempDir, name: &str, n: usize) -> PathBuf {
    let path = dir.path().join(name);
    write_f32(&path, &(1..=n).map(|i| i as f32).collect::<Vec<_>>());
    path
}

/// A fresh folder holding `data.f32`, of float32 values 1, 2, ..., n.
fn counting(n: usize) -> (TempDir, PathBuf) {
    let dir = folder();
    let path = counting_file(&dir, "data.f32", n);
    (dir, path)
}

/// scale_floats with an ndpointer: float32, one dimension, C-contiguous,
/// exactly argument 2 long.
fn scale_checked() -> CFunc {
    let a = floats_arg2("C_CONTIGUOUS").build().unwrap();
    let args = [a.into(), CType::Int, CType::Float];
    // SAFETY: mean.c: scale_floats reads and writes n floats of A; the
    // ndpointer's shape is n, it is writable and not nullable.
    unsafe { lib("mean").function("scale_floats", &args, CType::Void) }.unwrap()
}

fn c_scale(f: &CFunc, m: &mut Memmap, factor: f32) -> rctypes::Result<()> {
    let n = m.len() as i32;
    f.call(&[m.into(), n.into(), factor.into()]).map(|_| ())
}

fn c_mean(m: &Memmap) -> f32 {
    call_as(&mean(), &[m.into(), (m.len() as i32).into()])
}

/// The options for a map of `dtype` in `mode`, to finish with its shape,
/// offset or order and open.
fn options(dtype: &str, mode: impl IntoMode) -> MemmapOptions {
    Memmap::options().dtype(dtype).mode(mode)
}

/// Opens `path` as float32 in `mode`, with the shape from the file.
fn open(path: &Path, mode: &str) -> Memmap {
    // SAFETY: each test's files are its own; nothing else touches them.
    unsafe { Memmap::open(path, "float32", mode) }.unwrap_or_else(|e| panic!("{e}"))
}

/// The message of an error about the file itself.
fn memmap_error(result: rctypes::Result<Memmap>) -> (String, Option<ErrorKind>) {
    match result {
        Err(Error::Memmap { message, kind, .. }) => (message, kind),
        other => panic!("expected a memmap error, got {other:?}"),
    }
}

// ---- each mode through C that writes ----

#[test]
fn mode_w_plus_creates_the_file_and_c_writes_reach_it() {
    let dir = folder();
    let path = dir.path().join("new.f32");
    // SAFETY: a new file of this test's own.
    let mut m = unsafe { options("float32", "w+").shape(5).open(&path) }.unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), 20);
    assert_eq!(elements(m.view::<f32>()), [0.0; 5]);
    for (i, x) in m.view_mut::<f32>().unwrap().iter_mut().enumerate() {
        *x = i as f32 + 1.0;
    }
    c_scale(&scale(), &mut m, 3.0).unwrap();
    m.flush().unwrap();
    assert_eq!(read_f32(&path), [3.0, 6.0, 9.0, 12.0, 15.0]);
    assert_eq!(c_mean(&m), 9.0);
    drop(m);

    // w+ over an existing file starts it anew.
    // SAFETY: as above.
    let m = unsafe { options("f4", Mode::Write).shape(2).open(&path) }.unwrap();
    assert_eq!(elements(m.view::<f32>()), [0.0, 0.0]);
    drop(m);
    assert_eq!(read_f32(&path), [0.0, 0.0]);
}

#[test]
fn mode_r_plus_writes_in_place_and_flushes_on_drop() {
    let (_dir, path) = counting(4);
    let mut m = open(&path, "r+");
    assert_eq!(m.mode(), Mode::ReadWrite);
    assert_eq!(c_mean(&m), 2.5);
    c_scale(&scale_checked(), &mut m, 2.0).unwrap();
    assert_eq!(elements(m.view::<f32>()), [2.0, 4.0, 6.0, 8.0]);
    drop(m);
    assert_eq!(read_f32(&path), [2.0, 4.0, 6.0, 8.0]);

    // numpy's default mode is r+.
    // SAFETY: as in open.
    let mut m = unsafe { Memmap::options().dtype("float32").open(&path) }.unwrap();
    assert_eq!(m.mode(), Mode::ReadWrite);
    c_scale(&scale(), &mut m, 0.5).unwrap();
    drop(m);
    assert_eq!(read_f32(&path), [1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn mode_c_lets_c_write_but_leaves_the_file_untouched() {
    let (_dir, path) = counting(4);
    let mut m = open(&path, "c");
    assert_eq!(m.mode(), Mode::CopyOnWrite);
    c_scale(&scale(), &mut m, 10.0).unwrap();
    c_scale(&scale_checked(), &mut m, 2.0).unwrap();
    assert_eq!(elements(m.view::<f32>()), [20.0, 40.0, 60.0, 80.0]);
    assert_eq!(c_mean(&m), 50.0);
    m.flush().unwrap();
    assert_eq!(read_f32(&path), [1.0, 2.0, 3.0, 4.0]);
    drop(m);
    assert_eq!(read_f32(&path), [1.0, 2.0, 3.0, 4.0]);
    let reopened = open(&path, "r");
    assert_eq!(elements(reopened.view::<f32>()), [1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn mode_r_is_refused_wherever_c_may_write() {
    let (_dir, path) = counting(4);
    let mut m = open(&path, "r");
    assert_eq!(m.mode(), Mode::ReadOnly);
    assert!(!m.is_writable());

    // A plain `float*`: refused before C runs, even from a mutable borrow.
    match c_scale(&scale(), &mut m, 2.0) {
        Err(Error::Argument {
            function,
            index,
            expected,
            given,
        }) => {
            assert_eq!((function.as_str(), index), ("scale_floats", 1));
            assert!(given.ends_with("which is read-only"), "{given}");
            assert!(expected.contains("a memmap in mode 'r'"), "{expected}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // An ndpointer C may write through.
    match c_scale(&scale_checked(), &mut m, 2.0) {
        Err(Error::ArrayArgument { index, message, .. }) => {
            assert_eq!(index, 1);
            assert!(message.starts_with("array is read-only"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The `.ctypes` view gives no pointer C may write through.
    assert!(!m.ctypes_mut().flags().contains(Flags::WRITEABLE));
    let err = m.ctypes_mut().data_as_mut::<f32>().unwrap_err().to_string();
    assert!(err.starts_with("the memory is read-only"), "{err}");
    assert!(m.view_mut::<f32>().is_err());
    assert!(m.as_bytes_mut().is_err());

    // Reading is fine, and nothing was written.
    assert_eq!(c_mean(&m), 2.5);
    assert_eq!(elements(m.view::<f32>()), [1.0, 2.0, 3.0, 4.0]);
    drop(m);
    assert_eq!(read_f32(&path), [1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn long_aliases_are_the_short_modes() {
    let (dir, path) = counting(3);
    for (alias, short) in [("readonly", "r"), ("copyonwrite", "c"), ("readwrite", "r+")] {
        let m = open(&path, alias);
        assert_eq!(m.mode(), Mode::parse(short).unwrap());
        assert_eq!(m.mode().as_str(), short);
        assert_eq!(c_mean(&m), 2.0);
    }
    let written = dir.path().join("written.f32");
    // SAFETY: a new file of this test's own.
    let mut m = unsafe { options("float32", "write").shape(3).open(&written) }.unwrap();
    assert_eq!(m.mode(), Mode::Write);
    m.view_mut::<f32>().unwrap().fill(4.0);
    c_scale(&scale(), &mut m, 0.5).unwrap();
    drop(m);
    assert_eq!(read_f32(&written), [2.0, 2.0, 2.0]);
}

// ---- numpy's errors ----

#[test]
fn unknown_mode_names_the_accepted_ones() {
    let dir = folder();
    let path = dir.path().join("never.f32");
    // SAFETY: the file is never opened.
    let err = unsafe { Memmap::open(&path, "float32", "rw") }.unwrap_err();
    assert_eq!(
        err.to_string(),
        "memmap mode must be one of ['r', 'c', 'r+', 'w+', 'readonly', 'copyonwrite', \
         'readwrite', 'write'], given 'rw'"
    );
    assert!(!path.exists());
    // A bad data type is reported the same way, before the file is touched.
    // SAFETY: as above.
    let err = unsafe { Memmap::open(&path, "float33", "w+") }.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("data type 'float33' not understood")
    );
    assert!(!path.exists());
}

#[test]
fn w_plus_needs_a_shape_and_leaves_the_file_alone_without_one() {
    let (_dir, path) = counting(4);
    // SAFETY: the file is not mapped.
    let (message, kind) = memmap_error(unsafe { Memmap::open(&path, "float32", "w+") });
    assert_eq!(
        message,
        "shape must be given in mode 'w+', which creates the file"
    );
    assert_eq!(kind, None);
    assert_eq!(read_f32(&path), [1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn file_size_must_be_a_multiple_of_the_item_size() {
    let dir = folder();
    let path = dir.path().join("ten.bin");
    fs::write(&path, [7u8; 10]).unwrap();
    // SAFETY: each test's files are its own.
    let result = unsafe { Memmap::open(&path, "float32", "r") };
    let (message, _) = memmap_error(result);
    assert_eq!(
        message,
        "size of available data (10 bytes from offset 0) is not a multiple of the data-type \
         size (4 bytes of float32)"
    );
    let err = unsafe { Memmap::open(&path, "f8", "r") }.unwrap_err();
    assert!(err.to_string().starts_with(&format!(
        "cannot map {}: size of available data",
        path.display()
    )));
    // From offset 2 the 8 bytes left are two float32s.
    // SAFETY: as above.
    let m = unsafe { options("u2", "r").offset(2).open(&path) }.unwrap();
    assert_eq!(m.shape(), &[4]);
    assert_eq!(elements(m.view::<u16>()), [0x0707; 4]);
}

#[test]
fn a_file_too_short_is_an_error_unless_the_mode_grows_it() {
    let dir = folder();
    let path = counting_file(&dir, "two.f32", 2);
    for mode in ["r", "c"] {
        // SAFETY: each test's files are its own.
        let result = unsafe { options("float32", mode).shape(4).open(&path) };
        let (message, _) = memmap_error(result);
        assert_eq!(
            message,
            format!(
                "the file is too short: shape (4,) of float32 at offset 0 needs 16 bytes, and \
                 it has 8 (mode '{mode}' does not grow files; 'r+' and 'w+' do)"
            )
        );
    }
    // An offset past the end leaves nothing to infer a shape from.
    // SAFETY: as above.
    let result = unsafe { options("f4", "r").offset(12).open(&path) };
    assert_eq!(
        memmap_error(result).0,
        "offset 12 is past the end of the file (8 bytes)"
    );
    assert_eq!(fs::metadata(&path).unwrap().len(), 8);

    // r+ grows the file with zeros, and keeps what was there.
    // SAFETY: as above.
    let mut m = unsafe { options("float32", "r+").shape((2, 2)).open(&path) }.unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), 16);
    assert_eq!(
        m.view::<f32>().unwrap().as_slice().unwrap(),
        [1.0, 2.0, 0.0, 0.0]
    );
    let n = m.len() as i32;
    scale()
        .call(&[(&mut m).into(), n.into(), 3.0.into()])
        .unwrap();
    drop(m);
    assert_eq!(read_f32(&path), [3.0, 6.0, 0.0, 0.0]);
}

#[test]
fn a_missing_file_is_the_systems_error() {
    let dir = folder();
    let path = dir.path().join("missing.f32");
    for mode in ["r", "c", "r+"] {
        // SAFETY: there is no file.
        let (message, kind) = memmap_error(unsafe { Memmap::open(&path, "float32", mode) });
        assert!(message.starts_with("cannot open the file: "), "{message}");
        assert_eq!(kind, Some(ErrorKind::NotFound));
        assert!(!path.exists());
    }
}

#[test]
fn a_missing_file_keeps_the_systems_error_as_its_source() {
    let dir = folder();
    let path = dir.path().join("missing.f32");
    // SAFETY: there is no file.
    let err = unsafe { Memmap::open(&path, "float32", "r") }.unwrap_err();
    let source = std::error::Error::source(&err).expect("the system's error");
    let io = source
        .downcast_ref::<std::io::Error>()
        .unwrap_or_else(|| panic!("{source:?}"));
    assert_eq!(io.kind(), ErrorKind::NotFound);
    // A refusal of rctypes' own (no shape for w+) has none.
    // SAFETY: nothing is mapped.
    let err = unsafe { Memmap::open(&path, "float32", "w+") }.unwrap_err();
    assert!(matches!(err, Error::Memmap { kind: None, .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_none(), "{err:?}");
}

// ---- shapes, offsets and order ----

#[test]
fn the_shape_is_inferred_from_the_file_size() {
    let dir = folder();
    let path = dir.path().join("48.bin");
    fs::write(&path, (0..48u8).collect::<Vec<_>>()).unwrap();
    let inferred = |dtype: &str, offset: u64| {
        // SAFETY: each test's files are its own.
        let m = unsafe { options(dtype, "r").offset(offset).open(&path) }.unwrap();
        assert_eq!(m.ndim(), 1);
        assert_eq!(m.nbytes() as u64, 48 - offset);
        m.shape()[0]
    };
    assert_eq!(inferred("float32", 0), 12);
    assert_eq!(inferred("float64", 0), 6);
    assert_eq!(inferred("<i2", 0), 24);
    assert_eq!(inferred("i4,f8", 0), 4);
    assert_eq!(inferred("float64", 8), 5);
    assert_eq!(inferred("u1", 48), 0);
    // The default data type is numpy's: uint8.
    // SAFETY: as above.
    let bytes = unsafe { Memmap::options().mode("r").open(&path) }.unwrap();
    assert_eq!(bytes.dtype(), &DType::of::<u8>());
    assert_eq!(bytes.view::<u8>().unwrap()[[47]], 47);
    // A shape given is taken as it is.
    // SAFETY: as above.
    let m = unsafe { options("float64", "r").shape([2, 3]).open(&path) }.unwrap();
    assert_eq!((m.shape(), m.len()), (&[2, 3][..], 6));
    assert_eq!(m.view::<f64>().unwrap().shape(), &[2, 3]);
}

fn page_size() -> usize {
    // SAFETY: sysconf only reads a system constant.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize }
}

#[test]
fn offsets_need_not_be_page_aligned() {
    let page = page_size();
    for offset in [0, 4, 12, page, page + 4, 2 * page - 4, 2 * page + 8] {
        let dir = folder();
        let path = dir.path().join("offset.bin");
        // A header of 0xAB bytes, four float32s, and a trailer of 0xCD.
        let mut bytes = vec![0xABu8; offset];
        bytes.extend([1.0f32, 2.0, 3.0, 4.0].iter().flat_map(|v| v.to_ne_bytes()));
        bytes.extend([0xCDu8; 8]);
        fs::write(&path, &bytes).unwrap();

        // SAFETY: each test's files are its own.
        let mut m = unsafe {
            options("float32", "r+")
                .offset(offset as u64)
                .shape(4)
                .open(&path)
        }
        .unwrap();
        assert_eq!(m.offset(), offset as u64);
        // The map starts on the page below; the array at the offset within it.
        assert_eq!(m.as_ptr() as usize % page, offset % page);
        assert!(m.flags().contains(Flags::ALIGNED));
        assert_eq!(c_mean(&m), 2.5, "offset {offset}");
        c_scale(&scale(), &mut m, 2.0).unwrap();
        drop(m);

        let after = fs::read(&path).unwrap();
        assert_eq!(after.len(), bytes.len());
        assert!(
            after[..offset].iter().all(|&b| b == 0xAB),
            "offset {offset}"
        );
        assert_eq!(f32s(&after[offset..offset + 16]), [2.0, 4.0, 6.0, 8.0]);
        assert_eq!(after[offset + 16..], [0xCD; 8]);
    }
}

#[test]
fn an_offset_that_misaligns_the_elements_is_caught() {
    let dir = folder();
    let path = dir.path().join("odd.bin");
    let mut bytes = vec![0u8; 3];
    bytes.extend([1.5f32, 2.5, 3.5].iter().flat_map(|v| v.to_ne_bytes()));
    fs::write(&path, &bytes).unwrap();
    // SAFETY: each test's files are its own.
    let m = unsafe { options("float32", "r").offset(3).open(&path) }.unwrap();
    assert_eq!(m.shape(), &[3]);
    assert_eq!(m.as_ptr() as usize % 4, 3);
    assert!(!m.flags().contains(Flags::ALIGNED));
    assert!(m.flags().contains(Flags::C_CONTIGUOUS));

    // Typed access needs alignment: refused, with the way out.
    let err = m.view::<f32>().unwrap_err().to_string();
    assert!(err.contains("not aligned for f32"), "{err}");
    assert!(m.ctypes().data_as::<f32>().is_err());
    match mean().call(&[(&m).into(), 3.into()]) {
        Err(Error::Argument { index, given, .. }) => {
            assert_eq!(index, 1);
            assert!(
                given.contains("array must have flags ['ALIGNED']"),
                "{given}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A copy is aligned, and C reads it.
    let copy = m.to_ndarray().unwrap();
    assert_eq!(elements(copy.view::<f32>()), [1.5, 2.5, 3.5]);
    let f = mean();
    let got = f.call(&[(&copy).into(), 3.into()]).unwrap();
    assert_eq!(got.to::<f32>().unwrap(), 2.5);
    assert_eq!(f32s(m.as_bytes()), [1.5, 2.5, 3.5]);

    // An ndpointer checks alignment only when declared with ALIGNED, as numpy.
    let forward = |flags: &str| {
        let mut p = ndpointer().dtype("float32").read_only();
        if !flags.is_empty() {
            p = p.flags(flags);
        }
        let p = p.build().unwrap();
        // SAFETY: arrays.c: `void *forward_pointer(void *p)` returns p, reading
        // and writing nothing through it.
        unsafe { lib("arrays").function("forward_pointer", &[p.into()], CType::VoidP) }.unwrap()
    };
    let got = forward("").call(&[(&m).into()]).unwrap();
    assert_eq!(got.to::<RawPtr>().unwrap().addr(), m.as_ptr() as usize);
    match forward("ALIGNED").call(&[(&m).into()]) {
        Err(Error::ArrayArgument { message, given, .. }) => {
            assert_eq!(message, "array must have flags ['ALIGNED']");
            assert_eq!(given, "['C_CONTIGUOUS', 'F_CONTIGUOUS']");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---- flags and the `.ctypes` view ----

#[test]
fn flags_follow_numpys_memmap() {
    let (_dir, path) = counting(6);
    for mode in ["r", "c", "r+"] {
        let mut m = open(&path, mode);
        let writable = mode != "r";
        let f = m.flags();
        assert!(f.contains(Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS | Flags::ALIGNED));
        assert!(!f.contains(Flags::OWNDATA), "{mode}");
        assert_eq!(f.contains(Flags::WRITEABLE), writable, "{mode}");
        // Lent for reading: never WRITEABLE; for writing: as the mode allows.
        assert!(!m.ctypes().flags().contains(Flags::WRITEABLE));
        assert!(!m.ctypes().flags().contains(Flags::OWNDATA));
        let lent = m.ctypes_mut().flags();
        assert_eq!(lent.contains(Flags::WRITEABLE), writable, "{mode}");
        assert!(!lent.contains(Flags::OWNDATA));
        let rctypes::Value::Array(a) = rctypes::Value::from(&mut m) else {
            unreachable!()
        };
        assert_eq!(a.is_writable(), writable);
        assert!(a.is_array());
    }
}

#[test]
fn the_ctypes_view_of_a_fortran_ordered_map() {
    let dir = folder();
    let path = dir.path().join("matrix.f64");
    // 2x3 in Fortran order: columns (1, 4), (2, 5), (3, 6).
    let values = [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0];
    fs::write(
        &path,
        values
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    // SAFETY: each test's files are its own.
    let m = unsafe {
        options("float64", "r")
            .shape((2, 3))
            .order(Order::F)
            .open(&path)
    }
    .unwrap();
    assert_eq!(m.order(), Order::F);
    assert_eq!(m.strides(), &[8, 16]);
    assert!(m.flags().contains(Flags::F_CONTIGUOUS));
    assert!(!m.flags().contains(Flags::C_CONTIGUOUS));
    assert_eq!(
        m.view::<f64>().unwrap(),
        ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).into_dyn()
    );
    assert_eq!(
        format!("{m:?}"),
        format!(
            "Memmap(filename={:?}, dtype=float64, mode='r', offset=0, shape=(2, 3), order=F)",
            path.display().to_string()
        )
    );
    assert_eq!(m.filename(), Some(path.as_path()));

    let c = m.ctypes();
    assert_eq!(c.data(), m.as_ptr() as usize);
    assert_eq!(c.shape(), &[2, 3]);
    assert_eq!(c.strides(), &[8, 16]);
    assert_eq!(c.shape_as::<i16>().unwrap(), [2, 3]);
    assert_eq!(c.strides_as::<i64>().unwrap(), [8, 16]);
    assert!(c.strides_as::<u8>().is_ok());
    assert_eq!(c.data_as::<f64>().unwrap().addr(), m.as_ptr() as usize);
    assert!(c.data_as::<f32>().is_err());

    // C walks the map through the strides the view gives.
    let intp = || CType::const_pointer(CType::IntP).extent(Extent::ElementsFromArg(2));
    let data = ndpointer().dtype("f8").read_only().build().unwrap();
    let arrays = lib("arrays");
    // SAFETY: arrays.c: `double strided_sum(const void *data, int ndim, const
    // intptr_t *shape, const intptr_t *strides)` and `double element_at(const
    // void *data, int ndim, const intptr_t *strides, const intptr_t *index)`
    // read ndim entries of shape/strides/index and the doubles of data those
    // address, within the ndpointer's array for its own shape and strides
    // and an index within them; they write nothing, and nothing may be NULL.
    let (sum, element_at) = unsafe {
        (
            arrays
                .function(
                    "strided_sum",
                    &[data.clone().into(), CType::Int, intp(), intp()],
                    CType::Double,
                )
                .unwrap(),
            arrays
                .function(
                    "element_at",
                    &[data.into(), CType::Int, intp(), intp()],
                    CType::Double,
                )
                .unwrap(),
        )
    };
    let total = sum
        .call(&[(&m).into(), 2.into(), c.shape().into(), c.strides().into()])
        .unwrap();
    assert_eq!(total.to::<f64>().unwrap(), 21.0);
    let index: [isize; 2] = [1, 2];
    let x = element_at
        .call(&[
            c.as_parameter(),
            2.into(),
            c.strides().into(),
            (&index).into(),
        ])
        .unwrap();
    assert_eq!(x.to::<f64>().unwrap(), 6.0);

    // Not C-contiguous: a plain `const double*` is refused, as for any array.
    // SAFETY: arrays.c: `double sum_or_minus_one(const double *data, int n)`
    // returns -1 for NULL data and otherwise reads n doubles of it.
    let plain = unsafe {
        arrays.function(
            "sum_or_minus_one",
            &[
                CType::const_pointer(CType::Double)
                    .extent(Extent::ElementsFromArg(2))
                    .nullable(),
                CType::Int,
            ],
            CType::Double,
        )
    }
    .unwrap();
    let err = plain.call(&[(&m).into(), 6.into()]).unwrap_err();
    assert!(err.to_string().contains("not C-contiguous"), "{err}");
    // Its contiguous data, through a pointer that carries its length.
    let p = c.data_as::<f64>().unwrap();
    assert_eq!(plain.call(&[p.into(), 6.into()]).unwrap(), 21.0.into());
    assert!(plain.call(&[p.into(), 7.into()]).is_err());
}

#[test]
fn typed_calls_take_the_maps_data() {
    let (_dir, path) = counting(4);
    let mut m = open(&path, "r+");
    // Checked typing takes arrays of a fixed length, declared as the extent.
    let four = Extent::Elements(4);
    let mean_lib = lib("mean");
    // SAFETY: mean.c: `float compute_mean(float *A, int n)` reads n floats of
    // A (not NULL) and `void scale_floats(float *A, int n, float factor)`
    // reads and writes n; these bindings state 4 and are called with n = 4.
    let (read4, write4) = (
        CType::const_pointer(CType::Float).extent(four),
        CType::pointer(CType::Float).extent(four),
    );
    let (mean4, scale4) = unsafe {
        (
            mean_lib.function("compute_mean", &[read4, CType::Int], CType::Float),
            mean_lib.function(
                "scale_floats",
                &[write4, CType::Int, CType::Float],
                CType::Void,
            ),
        )
    };
    let (mean4, scale4) = (mean4.unwrap(), scale4.unwrap());
    let by_array: TypedCFunc<(&[f32; 4], i32), f32> = mean4.typed().unwrap();
    {
        let view = m.view::<f32>().unwrap();
        let data: &[f32; 4] = view.as_slice().unwrap().try_into().unwrap();
        assert_eq!(by_array.call((data, 4)), 2.5);
    }
    // Slices and pointers, whose lengths checked typing cannot know, go only
    // through the unchecked binding.
    assert!(mean().typed::<(&[f32], i32), f32>().is_err());
    assert!(mean4.typed::<(Ptr<'_, f32>, i32), f32>().is_err());
    // SAFETY: compute_mean as above; the pointer is to the map's 4 floats,
    // unwritten during the call, and the count passed is 4.
    let by_ptr = unsafe { mean_lib.typed::<(Ptr<'_, f32>, i32), f32>("compute_mean") }.unwrap();
    assert_eq!(by_ptr.call((m.ctypes().data_as::<f32>().unwrap(), 4)), 2.5);
    let scale_typed: TypedCFunc<(&mut [f32; 4], i32, f32), ()> = scale4.typed().unwrap();
    let mut view = m.view_mut::<f32>().unwrap();
    let data: &mut [f32; 4] = view.as_slice_mut().unwrap().try_into().unwrap();
    scale_typed.call((data, 4, 4.0));
    drop(m);
    assert_eq!(read_f32(&path), [4.0, 8.0, 12.0, 16.0]);
}

#[test]
fn an_open_file_maps_too() {
    let (_dir, path) = counting(3);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    // SAFETY: each test's files are its own.
    let mut m = unsafe { Memmap::options().dtype("float32").map(&file) }.unwrap();
    assert_eq!(m.filename(), None);
    c_scale(&scale(), &mut m, 2.0).unwrap();
    m.flush().unwrap();
    assert_eq!(read_f32(&path), [2.0, 4.0, 6.0]);
    drop(m);

    // w+ on an open file grows it to fit, without emptying it.
    // SAFETY: as above.
    let m = unsafe { options("float32", "w+").shape(4).map(&file) }.unwrap();
    assert_eq!(elements(m.view::<f32>()), [2.0, 4.0, 6.0, 0.0]);
    drop(m);

    // A file open only for reading cannot be mapped for writing.
    let read_only = File::open(&path).unwrap();
    // SAFETY: as above.
    let result = unsafe { options("float32", "r+").map(&read_only) };
    let (message, kind) = memmap_error(result);
    assert!(
        message.starts_with("cannot map it in mode 'r+': "),
        "{message}"
    );
    assert!(kind.is_some());
    // ... but copy-on-write needs no more than reading.
    // SAFETY: as above.
    let mut m = unsafe { options("float32", "c").map(&read_only) }.unwrap();
    c_scale(&scale(), &mut m, 10.0).unwrap();
    assert_eq!(elements(m.view::<f32>()), [20.0, 40.0, 60.0, 0.0]);
    drop(m);
    assert_eq!(read_f32(&path), [2.0, 4.0, 6.0, 0.0]);
}

// ---- large files ----

/// `double bump_ends(float *A, int64_t n, float delta)` with an ndpointer of
/// exactly argument 2 float32s: C touches three elements of the n.
#[cfg(target_pointer_width = "64")]
fn bump_ends() -> CFunc {
    let a = floats_arg2("C_CONTIGUOUS, ALIGNED").build().unwrap();
    let args = [a.into(), CType::Int64, CType::Float];
    // SAFETY: memmap.c: `double bump_ends(float *A, int64_t n, float delta)`
    // reads and writes A[0], A[n/2] and A[n-1]; the ndpointer's shape is n,
    // it is writable and not nullable.
    unsafe { lib("memmap").function("bump_ends", &args, CType::Double) }.unwrap()
}

#[cfg(target_pointer_width = "64")]
#[test]
fn a_multi_gigabyte_sparse_file_maps_and_passes_to_c() {
    use std::os::unix::fs::MetadataExt;

    const SIZE: u64 = 6 << 30;
    let dir = folder();
    let path = dir.path().join("sparse.f32");
    File::create(&path).unwrap().set_len(SIZE).unwrap();
    let n = (SIZE / 4) as usize;

    let mut m = open(&path, "r+");
    assert_eq!(m.shape(), &[n]);
    assert_eq!(m.ctypes().shape(), &[n as isize]);
    let bump = bump_ends();
    let sum = bump
        .call(&[(&mut m).into(), (n as i64).into(), 1.5f32.into()])
        .unwrap();
    assert_eq!(sum.to::<f64>().unwrap(), 4.5);
    // The checked length is the map's: one element short is refused.
    assert!(
        bump.call(&[(&mut m).into(), (n as i64 - 1).into(), 1.0f32.into()])
            .is_err()
    );
    m.view_mut::<f32>().unwrap()[[n - 2]] = 7.0;
    m.flush().unwrap();
    drop(m);

    let meta = fs::metadata(&path).unwrap();
    assert_eq!(meta.len(), SIZE);
    // Still sparse: only the few pages touched hold blocks.
    assert!(meta.blocks() * 512 < 1 << 20, "{} blocks", meta.blocks());

    let m = open(&path, "r");
    let v = m.view::<f32>().unwrap();
    assert_eq!(
        [v[[0]], v[[1]], v[[n / 2]], v[[n - 2]], v[[n - 1]]],
        [1.5, 0.0, 1.5, 7.0, 1.5]
    );
}
