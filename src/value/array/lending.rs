//! What a plain pointer parameter to numbers (`const float *`, `int *`), or
//! to rows of them (`const float * const *`), asks of an array, worked out
//! once when the function is bound, so that a call checks an array in a
//! few compares: a direct call ([`CFunc::invoke`](crate::CFunc::invoke)),
//! and the checked call before its full checks. It takes a subset of what
//! the full checks take (`value::check_contract`, `ArrayArg::pointer_for`):
//! arrays of exactly the pointee's kind, whole and in order, covering the
//! extent, which it reads with the same rule ([`Extent::need`], on which
//! the full checks' `Extent::touches` rests).
//! Anything else declines, and the full checks take it, or say why not.

use std::ffi::c_void;

use crate::types::{CType, Extent, Flags, Kind, Need, Terms};
use crate::value::ArrayArg;

/// A pointer parameter's checks of an array lent to it.
#[derive(Debug, PartialEq)]
pub(crate) struct Lending {
    /// The kind of the numbers C reads: the elements', or each row's.
    numbers: Kind,
    /// Whether C writes through the pointer.
    writes: bool,
    /// How much of the array C touches.
    need: Need,
    /// For row pointers, what C touches of each row.
    rows: Option<Rows>,
}

/// What C touches of each row a row pointer points to.
#[derive(Debug, PartialEq)]
struct Rows {
    /// Whether C writes through the rows.
    writes: bool,
    need: Need,
    /// The size of one number of a row.
    size: usize,
}

/// What row pointers made by rctypes state of each row: read once from
/// their element type (`const T *` or `T *`, to numbers, with the rows'
/// length as its extent), where the full checks read it at every call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RowShape {
    numbers: Kind,
    /// Whether the pointer lets C write through it.
    writes: bool,
    /// The number of elements of a row.
    len: usize,
}

impl RowShape {
    /// The shape of the rows that row pointers of C type `pointer` point
    /// to; `None` where that is not a pointer to numbers of a fixed
    /// length.
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    pub(crate) fn of(pointer: &CType) -> Option<RowShape> {
        match to_numbers(pointer)? {
            (writes, numbers, Extent::Elements(len)) => Some(RowShape {
                numbers: numbers.bare().kind(),
                writes,
                len,
            }),
            _ => None,
        }
    }
}

impl Lending {
    /// The checks of a parameter of type `ty`, where it is a pointer to
    /// numbers or to rows of them with an extent an array can cover (not
    /// up to a zero); `None` for any other type.
    pub(crate) fn of(ty: &CType) -> Option<Lending> {
        let terms = Terms::of(ty);
        let (writes, pointee) = pointee_of(terms.pointer)?;
        // What C touches of `extent` elements of `ty`, where it counts.
        let counted = |extent: Extent, ty: &CType| match extent {
            Extent::NulTerminated => None,
            extent => extent.need(Some(ty.size())),
        };
        let (numbers, rows) = match pointee.bare().kind() {
            kind if kind.is_number() => (kind, None),
            _ => {
                let (row_writes, numbers, extent) = to_numbers(pointee)?;
                let rows = Rows {
                    writes: row_writes,
                    need: counted(extent, numbers)?,
                    size: numbers.size(),
                };
                (numbers.bare().kind(), Some(rows))
            }
        };
        Some(Lending {
            numbers,
            writes,
            need: counted(terms.extent, pointee)?,
            rows,
        })
    }

    /// The address `a` passes as, where it passes every check: numbers of
    /// the declared kind (row pointers to them, made by rctypes, which
    /// states each row's length), writable where C writes, whole and in
    /// order, covering the extent, with `count(j)` the count argument `j`
    /// (1-based) holds, if any. `None` where any check fails.
    #[inline(always)]
    pub(crate) fn lend(
        &self,
        a: &ArrayArg<'_>,
        count: impl Fn(usize) -> Option<usize> + Copy,
    ) -> Option<*const c_void> {
        let fits = match &self.rows {
            None => a.elem().is_some_and(|elem| elem.kind() == self.numbers),
            Some(rows) => a.row().is_some_and(|row| self.rows_fit(rows, row, count)),
        };
        let lent = fits
            && (!self.writes || a.is_writable())
            && a.walks_in_order(a.flags.contains(Flags::ALIGNED))
            && covers(self.need, a.lent_bytes(), count);
        lent.then_some(a.ptr as *const c_void)
    }

    /// Whether rows of shape `row` are of the declared numbers, read-only
    /// only where C only reads, each covering what C touches of it.
    #[inline(always)]
    fn rows_fit(
        &self,
        rows: &Rows,
        row: &RowShape,
        count: impl Fn(usize) -> Option<usize>,
    ) -> bool {
        // Numbers of the declared kind have the declared size.
        row.numbers == self.numbers
            && (row.writes || !rows.writes)
            && rows
                .size
                .checked_mul(row.len)
                .is_some_and(|bytes| covers(rows.need, bytes, count))
    }
}

/// Whether `bytes` bytes cover what C touches by `need`, with `count(j)`
/// argument `j`'s count.
#[inline(always)]
fn covers(need: Need, bytes: usize, count: impl Fn(usize) -> Option<usize>) -> bool {
    need.touches(|j| count(j).ok_or(()))
        .is_ok_and(|touches| touches.within(bytes, false))
}

/// Of a pointer to numbers (`T *` or `const T *`, with its contract):
/// whether C writes through it, the numbers, and its extent.
fn to_numbers(ty: &CType) -> Option<(bool, &CType, Extent)> {
    let terms = Terms::of(ty);
    let (writes, numbers) = pointee_of(terms.pointer)?;
    let is_number = numbers.bare().kind().is_number();
    is_number.then_some((writes, numbers, terms.extent))
}

/// Whether a pointer (its contract aside) is one C writes through, and
/// its pointee: of `T *` and `const T *` only.
fn pointee_of(pointer: &CType) -> Option<(bool, &CType)> {
    match pointer.bare() {
        CType::Pointer(p) => Some((true, p)),
        CType::ConstPointer(p) => Some((false, p)),
        _ => None,
    }
}

#[cfg(all(test, feature = "ndarray"))]
mod tests {
    use ndarray::{Array2, s};

    use super::*;
    use crate::value::{Value, check_contract};
    use crate::{RowPointers, RowPointersMut};

    /// The checked call's answer for `value` where `ty` is declared, with
    /// `args` the call's arguments: the address C would get.
    fn checked(value: &Value<'_>, ty: &CType, args: &[Value<'_>]) -> Option<*const c_void> {
        let Value::Array(a) = value else {
            unreachable!()
        };
        check_contract(value, ty, args).ok()?;
        a.pointer_for(ty.bare()).ok()
    }

    /// Every declared pointer to numbers or rows, against arrays of every
    /// kind, shape and borrow, with counts of every sign: what `lend`
    /// takes, the checked call takes at the same address; what the checked
    /// call takes, `lend` takes too, but for bytes lent as `char` (either
    /// signedness) and counts that are no integer.
    #[test]
    fn lends_what_the_checked_call_takes() {
        let floats = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut writable = floats;
        let doubles = [1.0f64; 6];
        let ints = [7i32; 6];
        let bytes = [b'a'; 6];
        let grid = Array2::<f32>::zeros((2, 3));
        let view = grid.view();
        let column = grid.slice(s![.., 1]).to_owned();
        let strided = view.slice(s![0, ..;2]);
        let rows = RowPointers::new(grid.view()).unwrap();
        let mut grid2 = grid.clone();
        let mut rows_mut = RowPointersMut::new(grid2.view_mut()).unwrap();
        let arrays: Vec<Value<'_>> = vec![
            (&floats[..]).into(),
            (&floats[..4]).into(),
            (&floats[..0]).into(),
            (&doubles[..]).into(),
            (&ints[..]).into(),
            (&bytes[..]).into(),
            (&column).into(),
            (&strided).into(),
            (&rows).into(),
            (&mut rows_mut).into(),
            (&mut writable[..]).into(),
        ];
        let pointees = [
            CType::Float,
            CType::Double,
            CType::Int,
            CType::Char,
            CType::UByte,
            CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(3)),
            CType::pointer(CType::Float).extent(Extent::Elements(3)),
            CType::const_pointer(CType::Double).extent(Extent::Elements(3)),
        ];
        let extents = [
            Extent::One,
            Extent::Elements(3),
            Extent::Elements(6),
            Extent::ElementsFromArg(2),
            Extent::Bytes(12),
            Extent::BytesFromArg(2),
            Extent::ElementsFromArgs(2, 3),
            Extent::BytesFromArgs(2, 3),
        ];
        let counts = [-1, 0, 2, 3, 6, 7];
        let (mut lent, mut taken) = (0, 0);
        for pointee in &pointees {
            for pointer in [
                CType::pointer(pointee.clone()),
                CType::const_pointer(pointee.clone()),
            ] {
                for extent in extents {
                    let ty = pointer.clone().extent(extent);
                    let lending = Lending::of(&ty).expect("a pointer to numbers or rows");
                    for value in &arrays {
                        let Value::Array(a) = value else {
                            unreachable!()
                        };
                        for (n, m) in counts.iter().flat_map(|&n| counts.map(|m| (n, m))) {
                            let args = [Value::Null, Value::Int(n), Value::Int(m)];
                            let counts = [None, usize::try_from(n).ok(), usize::try_from(m).ok()];
                            let direct = lending
                                .lend(a, |j| counts.get(j.wrapping_sub(1)).copied().flatten());
                            let checked = checked(value, &ty, &args);
                            let bytes_as_char = matches!(pointee, CType::Char)
                                && a.elem()
                                    .is_some_and(|e| e.kind() != Kind::int(1, c_char_signed()));
                            assert!(
                                direct.is_none() || direct == checked,
                                "{ty} given {}: lent, but the checked call says {:?}",
                                a.describe(),
                                check_contract(value, &ty, &args)
                            );
                            assert!(
                                checked.is_none() || direct.is_some() || bytes_as_char,
                                "{ty} given {} ({n}, {m}): the checked call takes it, lend declines",
                                a.describe()
                            );
                            lent += usize::from(direct.is_some());
                            taken += usize::from(checked.is_some());
                        }
                    }
                }
            }
        }
        assert!(lent > taken * 9 / 10, "{lent} of {taken} lent");
        // A count that is no integer: declined, for the checked call.
        let ty = CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2));
        let Value::Array(a) = &arrays[0] else {
            unreachable!()
        };
        assert_eq!(Lending::of(&ty).unwrap().lend(a, |_| None), None);
        // What has no lending: strings C reads up to a zero, `void *`,
        // handles, pointers to pointers to pointers.
        for ty in [
            CType::CharP,
            CType::const_pointer(CType::Char),
            CType::VoidP,
            CType::pointer(CType::handle("FILE")),
            CType::pointer(CType::pointer(CType::pointer(CType::Int))),
            CType::Int,
        ] {
            assert_eq!(Lending::of(&ty), None, "{ty}");
        }
    }

    fn c_char_signed() -> bool {
        std::ffi::c_char::MIN != 0
    }
}
